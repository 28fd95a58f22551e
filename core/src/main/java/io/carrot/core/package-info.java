/** carrot's core: the project-wide exception and version. Sub-packages hold one concept each. */
package io.carrot.core;
