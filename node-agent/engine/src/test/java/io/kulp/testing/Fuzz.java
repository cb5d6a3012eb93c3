package io.kulp.testing;

import java.time.Duration;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * The one property every fuzzer checks (docs/fuzzing.md): on any input a parser ends within
 * {@link #LIMIT}, allocates at most {@link #MAX_ALLOCATED} (the node agent's heap), and throws
 * nothing but its own checked exception.
 */
public final class Fuzz {
  public static final Duration LIMIT = Duration.ofSeconds(10);
  public static final long MAX_ALLOCATED = 64L << 20;

  private Fuzz() {}

  /** Runs {@code work} within the bounds; fails unless it returned or threw one of {@code allowed}. */
  @SafeVarargs
  public static Throwable allowing(Bounded.Work work, Class<? extends Throwable>... allowed) {
    Throwable t = Bounded.run(LIMIT, MAX_ALLOCATED, work);
    if (t != null && Arrays.stream(allowed).noneMatch(c -> c.isInstance(t))) {
      throw new AssertionError("threw " + t + ", expected nothing or one of " + Arrays.toString(allowed), t);
    }
    return t;
  }

  /**
   * Numbers that break arithmetic: zero, one, the edges of signed and unsigned 8 to 64-bit
   * values, and anything else.
   */
  public static Arbitrary<Long> interestingNumbers() {
    return Arbitraries.oneOf(Arbitraries.of(0L, 1L, 2L, 7L, 8L, 16L, 24L, 64L, 0x7fL, 0x80L, 0xffL, 0x7fffL, 0xffffL,
        0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -8L, -24L),
        Arbitraries.longs().between(0, 1 << 20), Arbitraries.longs());
  }
}
