/**
 * Grading answers: exact match against a reference answer (numbers, multiple-choice letters,
 * normalized strings) and an LLM judge with a fixed 0-10 rubric scaled to [0, 1].
 */
package io.carrot.collect.grade;
