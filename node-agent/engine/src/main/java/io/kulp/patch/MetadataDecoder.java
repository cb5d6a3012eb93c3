package io.kulp.patch;

import io.kulp.elf.BuildId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and validates a {@code .ulp}/{@code .ulp.rev} section. It trusts nothing: every count,
 * offset and string is checked as docs/patch-format.md ("Validation") lists, and the first
 * problem is reported as a {@link MetadataException}.
 */
public final class MetadataDecoder {
  private final byte[] bytes;
  private final ByteBuffer in;
  private int stringsAt;
  private int stringsSize;

  private MetadataDecoder(byte[] bytes) {
    this.bytes = bytes;
    this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Decodes a section of either kind. */
  public static PatchMetadata decode(byte[] section) throws MetadataException {
    return new MetadataDecoder(section).decode();
  }

  /** Decodes a section that must be of {@code expected} kind (the one its section name implies). */
  public static PatchMetadata decode(byte[] section, PatchKind expected) throws MetadataException {
    PatchMetadata m = decode(section);
    if (m.kind() != expected) {
      throw new MetadataException("kind is " + m.kind().code() + " (" + m.kind().name().toLowerCase() + "), but section "
          + expected.section() + " must hold kind " + expected.code());
    }
    return m;
  }

  private PatchMetadata decode() throws MetadataException {
    checkHeader();
    stringsAt = u32(PatchFormat.OFF_STRINGS);
    stringsSize = u32(PatchFormat.OFF_STRINGS_SIZE);
    checkInside("string table", stringsAt, stringsSize);
    String library = string(u32(PatchFormat.OFF_LIBRARY), "target library name");
    BuildId target = buildId(PatchFormat.OFF_TARGET_ID_LEN, PatchFormat.OFF_TARGET_ID, "target");
    BuildId container = buildId(PatchFormat.OFF_CONTAINER_ID_LEN, PatchFormat.OFF_CONTAINER_ID, "container");
    PatchKind kind = PatchKind.ofCode(u16(PatchFormat.OFF_KIND));
    List<FunctionPair> functions = functions();
    List<PrivateReference> references = references();
    List<String> labels = labels();
    if (kind == PatchKind.REVERT && !(functions.isEmpty() && references.isEmpty() && labels.isEmpty())) {
      throw new MetadataException("a revert section carries functions, references or labels");
    }
    byte[] id = Arrays.copyOfRange(bytes, PatchFormat.OFF_ID, PatchFormat.OFF_ID + PatchId.LENGTH);
    boolean consistent = (bytes[PatchFormat.OFF_FLAGS] & PatchFormat.PATCH_CONSISTENT) != 0;
    return new PatchMetadata(kind, PatchId.of(id), library, target, container, functions, references, labels,
        consistent);
  }

  private void checkHeader() throws MetadataException {
    boolean magicOk = bytes.length >= 4 && in.getInt(PatchFormat.OFF_MAGIC) == PatchFormat.MAGIC;
    if (bytes.length >= 4 && !magicOk) {
      throw new MetadataException("no KULP magic at the start: this is not kulp patch metadata");
    }
    if (bytes.length < PatchFormat.HEADER_SIZE) {
      throw new MetadataException("truncated: " + bytes.length + " bytes, shorter than the " + PatchFormat.HEADER_SIZE
          + "-byte header");
    }
    int version = u16(PatchFormat.OFF_VERSION);
    if (version != PatchFormat.VERSION) {
      throw new MetadataException("format version " + version + ", this ulp reads version " + PatchFormat.VERSION
          + ": use the matching kulp release or re-pack the patch");
    }
    PatchKind.ofCode(u16(PatchFormat.OFF_KIND));
    long size = in.getInt(PatchFormat.OFF_SIZE) & 0xffff_ffffL;
    if (size > PatchFormat.MAX_SECTION_SIZE) {
      throw new MetadataException("size field says " + size + " bytes, more than the " + PatchFormat.MAX_SECTION_SIZE
          + " allowed");
    }
    if (size != bytes.length) {
      throw new MetadataException("size field says " + size + " bytes but the section has " + bytes.length
          + (size > bytes.length ? " (truncated)" : ""));
    }
    long stored = in.getInt(PatchFormat.OFF_CRC) & 0xffff_ffffL;
    long computed = MetadataEncoder.crc(bytes);
    if (stored != computed) {
      throw new MetadataException(String.format("CRC-32 mismatch (stored %08x, computed %08x): the section is damaged",
          stored, computed));
    }
    int flags = bytes[PatchFormat.OFF_FLAGS] & 0xff;
    if ((flags & ~PatchFormat.PATCH_CONSISTENT) != 0) {
      throw new MetadataException(String.format("unknown patch flags %#x", flags));
    }
    checkZero(46, 2, "reserved bytes after the patch flags");
    checkZero(113, 7, "reserved bytes after the container build-id length");
  }

  private List<FunctionPair> functions() throws MetadataException {
    int count = table("function", PatchFormat.OFF_FUNC_COUNT, PatchFormat.MAX_FUNCTIONS, PatchFormat.FUNCTION_SIZE);
    int at = u32(PatchFormat.OFF_FUNCS);
    List<FunctionPair> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++, at += PatchFormat.FUNCTION_SIZE) {
      String what = "function " + i;
      String oldName = string(u32(at), what + " old name");
      String newName = string(u32(at + 4), what + " new name");
      int flags = u32(at + 16);
      int entryCrc = u32(at + 20);
      if ((flags & ~PatchFormat.FUNC_UNPREPARED) != 0) {
        throw new MetadataException(what + " flags are 0x" + Integer.toHexString(flags)
            + ": only bit 0 (0x1, unprepared) is defined, the other bits must be 0");
      }
      boolean unprepared = flags == PatchFormat.FUNC_UNPREPARED;
      if (!unprepared && entryCrc != 0) {
        throw new MetadataException(what + " entry CRC is 0x" + Integer.toHexString(entryCrc)
            + " but the function is not unprepared: the field must be 0");
      }
      out.add(new FunctionPair(oldName, newName, in.getLong(at + 8), unprepared, entryCrc));
    }
    return out;
  }

  private List<PrivateReference> references() throws MetadataException {
    int count = table("reference", PatchFormat.OFF_REF_COUNT, PatchFormat.MAX_REFERENCES, PatchFormat.REFERENCE_SIZE);
    int at = u32(PatchFormat.OFF_REFS);
    List<PrivateReference> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++, at += PatchFormat.REFERENCE_SIZE) {
      String what = "reference " + i;
      String target = string(u32(at), what + " target name");
      String patch = string(u32(at + 4), what + " patch name");
      ReferenceKind kind = ReferenceKind.ofCode(u32(at + 16));
      out.add(new PrivateReference(target, patch, in.getLong(at + 8), kind, Integer.toUnsignedLong(u32(at + 20))));
    }
    return out;
  }

  private List<String> labels() throws MetadataException {
    int count = table("label", PatchFormat.OFF_LABEL_COUNT, PatchFormat.MAX_LABELS, PatchFormat.LABEL_SIZE);
    int at = u32(PatchFormat.OFF_LABELS);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++, at += PatchFormat.LABEL_SIZE) {
      out.add(string(u32(at), "label " + i));
    }
    return out;
  }

  /** Checks a table's count, bounds and alignment; returns its count. */
  private int table(String what, int countField, int max, int entrySize) throws MetadataException {
    int count = u32(countField);
    if (count < 0 || count > max) {
      throw new MetadataException(what + " count " + Integer.toUnsignedString(count) + " exceeds the limit of " + max);
    }
    int at = u32(countField + 4);
    if (count > 0) {
      checkInside(what + " table", at, count * entrySize);
      if (at % PatchFormat.TABLE_ALIGNMENT != 0) {
        throw new MetadataException(what + " table at offset " + at + " is not 8-byte aligned");
      }
    }
    return count;
  }

  /** Checks that [at, at+len) lies inside the section, after the header. */
  private void checkInside(String what, int at, int len) throws MetadataException {
    long start = Integer.toUnsignedLong(at);
    long end = start + Integer.toUnsignedLong(len);
    if (start < PatchFormat.HEADER_SIZE || end > bytes.length) {
      throw new MetadataException(what + " (offset " + start + ", " + Integer.toUnsignedLong(len)
          + " bytes) lies outside the section (" + PatchFormat.HEADER_SIZE + ".." + bytes.length + ")");
    }
  }

  private String string(int ref, String what) throws MetadataException {
    if (ref < 0 || ref >= stringsSize) {
      throw new MetadataException(what + ": string reference " + Integer.toUnsignedString(ref)
          + " points outside the string table (" + stringsSize + " bytes)");
    }
    int start = stringsAt + ref;
    int end = stringsAt + stringsSize;
    for (int i = start; i < end; i++) {
      if (bytes[i] == 0) {
        if (i - start > PatchFormat.MAX_STRING) {
          throw new MetadataException(what + ": string of " + (i - start) + " bytes is longer than " + PatchFormat.MAX_STRING);
        }
        return new String(bytes, start, i - start, StandardCharsets.UTF_8);
      }
    }
    throw new MetadataException(what + ": string at " + ref + " is not NUL-terminated inside the string table");
  }

  private BuildId buildId(int lenAt, int at, String what) throws MetadataException {
    int len = bytes[lenAt] & 0xff;
    if (len < 1 || len > BuildId.MAX_LENGTH) {
      throw new MetadataException(what + " build-id length is " + len + ", expected 1.." + BuildId.MAX_LENGTH);
    }
    return BuildId.of(Arrays.copyOfRange(bytes, at, at + len));
  }

  private void checkZero(int at, int len, String what) throws MetadataException {
    for (int i = at; i < at + len; i++) {
      if (bytes[i] != 0) {
        throw new MetadataException(what + " are not 0");
      }
    }
  }

  private int u16(int at) {
    return in.getShort(at) & 0xffff;
  }

  private int u32(int at) {
    return in.getInt(at);
  }
}
