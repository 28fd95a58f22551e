package io.carrot.core.eval;

import io.carrot.core.curve.RouterCurve;

/**
 * One router (or baseline) of an evaluation: its curve over its knob, what it is, and whether its
 * knob is mu (so its first point is mu = 0).
 */
record NamedCurve(RouterCurve curve, String description, boolean hasMu) {}
