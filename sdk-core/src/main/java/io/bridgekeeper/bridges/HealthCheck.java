package io.bridgekeeper.bridges;

/** The outcome of one health check of a bridge (REST {@code /about/health}, or presence {@code healthy}). */
public enum HealthCheck {
  PASSED,
  /** The bridge answered that it is not healthy. */
  FAILED,
  /** No answer in time; jicofo marks the bridge non-operational too, but moves no conference. */
  TIMED_OUT
}
