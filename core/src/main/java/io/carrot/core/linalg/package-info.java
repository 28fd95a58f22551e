/**
 * Dense linear algebra and optimisation used by the estimators: Cholesky solves, the symmetric
 * eigen-decomposition, and the AdamW optimiser. No dependency on the rest of core.
 */
package io.carrot.core.linalg;
