package org.fspo.core.prompt;

/** The exact strings the model sees: one shared prompt and the two completions that follow it. */
public record RenderedPair(String prompt, String chosen, String rejected) {}
