package io.bridgekeeper.scaling;

import java.util.Objects;

/** What a {@link ScalingPolicy} decided: hold, or change the desired bridge count by n. Closed. */
public sealed interface ScalingDecision {
  /** Why, in words an operator reads in the audit log. */
  String reason();

  /** The desired count this decision leads to from {@code desired}. */
  int apply(int desired);

  /** Keep the desired count. */
  record Hold(String reason) implements ScalingDecision {
    public Hold {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public int apply(int desired) {
      return desired;
    }
  }

  /** Run {@code by} more bridges. */
  record ScaleOut(int by, String reason) implements ScalingDecision {
    public ScaleOut {
      Objects.requireNonNull(reason, "reason");
      if (by < 1) {
        throw new IllegalArgumentException("scale out by at least 1, was " + by);
      }
    }

    @Override
    public int apply(int desired) {
      return desired + by;
    }
  }

  /** Run {@code by} fewer bridges. */
  record ScaleIn(int by, String reason) implements ScalingDecision {
    public ScaleIn {
      Objects.requireNonNull(reason, "reason");
      if (by < 1) {
        throw new IllegalArgumentException("scale in by at least 1, was " + by);
      }
    }

    @Override
    public int apply(int desired) {
      return desired - by;
    }
  }
}
