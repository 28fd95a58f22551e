/** Test helpers shared by the modules' tests (test scope only): stub upstream, tiny router, fake chat models. */
package io.carrot.testsupport;
