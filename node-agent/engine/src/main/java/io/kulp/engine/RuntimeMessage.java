package io.kulp.engine;

import java.time.Instant;

/** One entry of a runtime's message ring. */
public record RuntimeMessage(long seq, Instant time, String level, String text) {}
