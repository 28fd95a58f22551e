/** Calibration of a fitted predictor's quality (and tokens) on held-out data. */
package io.carrot.core.predict.calibration;
