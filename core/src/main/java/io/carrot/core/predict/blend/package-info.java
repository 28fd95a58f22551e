/** Blends of estimators: a convex mix of fitted predictors and the fitter that picks the weights. */
package io.carrot.core.predict.blend;
