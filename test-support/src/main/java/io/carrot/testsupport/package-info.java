/**
 * Test helpers shared by the modules' and the examples' tests (test scope only): stub upstream, tiny routers
 * (worked out by hand, or trained on MiniLM embeddings), fake chat models.
 */
package io.carrot.testsupport;
