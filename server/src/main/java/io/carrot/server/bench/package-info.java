/**
 * The loopback load benchmark of the proxy ({@code carrot serve bench}): the overhead carrot adds
 * over calling an upstream directly, with and without embedding, and many concurrent streams.
 */
package io.carrot.server.bench;
