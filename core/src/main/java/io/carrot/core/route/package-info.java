/** The CARROT decision rule and what a decision carries. */
package io.carrot.core.route;
