package io.bridgekeeper.routing;

import io.bridgekeeper.routing.internal.RoomNames;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The byte string that Java and HAProxy both hash to find a room's bucket: the decoded,
 * ASCII-lowercased room (optionally {@code tenant/room}). Immutable; its CRC-32 is computed once.
 *
 * <p>Obtain keys from {@link RoomKeyRules} (or the shortcuts here, which use
 * {@link RoomKeyRules#defaults()}); every key it hands out is non-empty, bounded and free of
 * control bytes.
 */
public final class RoomKey implements Comparable<RoomKey> {
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;
  private final int crc32;

  private RoomKey(byte[] bytes, int crc32) {
    this.bytes = bytes;
    this.crc32 = crc32;
  }

  /** Takes ownership of already validated bytes. */
  static RoomKey ofValidatedBytes(byte[] bytes) {
    return new RoomKey(bytes, crc32(bytes, 0, bytes.length));
  }

  /** The key of a room name under the default rules; see {@link RoomKeyRules#keyOfRoomName(String)}. */
  public static RoomKey ofRoomName(String roomName) {
    return RoomKeyRules.defaults().keyOfRoomName(roomName);
  }

  /**
   * A key from raw key bytes, as HAProxy would hold them after {@code url_dec,lower}. The bytes
   * must already be lowercase in their ASCII letters.
   *
   * @throws RoomKeyException if they are empty, too long for the default rules, contain a control
   *     byte, or contain an uppercase ASCII letter (HAProxy could never produce that key)
   */
  public static RoomKey ofKeyBytes(byte[] keyBytes) {
    byte[] copy = keyBytes.clone();
    RoomNames.validateKeyBytes(copy, copy.length, RoomKeyRules.defaults());
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] >= 'A' && copy[i] <= 'Z') {
        throw new RoomKeyException(RoomKeyException.Reason.INVALID_CHARACTER, i,
            "room key byte " + i + " is an uppercase ASCII letter; keys are lowercase");
      }
    }
    return ofValidatedBytes(copy);
  }

  static int crc32(byte[] b, int off, int len) {
    CRC32 crc = new CRC32();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }

  /** A copy of the key's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Length of the key in bytes. */
  public int length() {
    return bytes.length;
  }

  /** The byte at {@code index}. */
  public byte byteAt(int index) {
    return bytes[index];
  }

  /** IEEE CRC-32 of the key, as HAProxy's {@code crc32} converter returns it (0 to 2^32-1). */
  public long crc32() {
    return Integer.toUnsignedLong(crc32);
  }

  /** The same CRC as a raw {@code int} (its unsigned value is {@link #crc32()}). */
  public int crc32Bits() {
    return crc32;
  }

  /** The bucket of this key among {@code bucketCount}: {@code crc32 mod bucketCount}. */
  public int bucket(int bucketCount) {
    return Buckets.bucketOf(crc32, bucketCount);
  }

  /** Whether the key equals {@code len} bytes of {@code other} starting at 0. */
  boolean contentEquals(byte[] other, int len) {
    return Arrays.equals(bytes, 0, bytes.length, other, 0, len);
  }

  /** The key's bytes as lowercase hexadecimal. */
  public String toHex() {
    return HEX.formatHex(bytes);
  }

  /**
   * The key for display and logs: printable ASCII as is, {@code %} and every other byte as a
   * {@code %XX} escape. Decoding it with HAProxy's {@code url_dec} gives the key back.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoomKey other && other.crc32 == crc32 && Arrays.equals(other.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return crc32;
  }

  /** Unsigned lexicographic order of the bytes: stable for generated files. */
  @Override
  public int compareTo(RoomKey o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
