package io.bridgekeeper.haproxy;

/** Generated HAProxy input that would be wrong; the message names the file, line and problem. */
public final class HaproxyConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public HaproxyConfigException(String message) {
    super(message);
  }
}
