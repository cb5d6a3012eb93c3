package io.kulp.packer;

import io.kulp.elf.SeparateDebugFile;
import io.kulp.elf.SymbolType;
import io.kulp.patch.DescriptionParser;
import io.kulp.patch.FunctionPair;
import io.kulp.patch.MetadataEncoder;
import io.kulp.patch.PatchDescription;
import io.kulp.patch.PatchDescription.FunctionLine;
import io.kulp.patch.PatchDescription.ReferenceLine;
import io.kulp.patch.PatchException;
import io.kulp.patch.PatchId;
import io.kulp.patch.PatchKind;
import io.kulp.patch.PatchMetadata;
import io.kulp.patch.PrivateReference;
import io.kulp.patch.SymbolFile;
import io.kulp.x86.EntryVerdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ulp packer}: turns a description into the {@code .ulp}/{@code .ulp.rev} sections of its
 * container. Everything is resolved and checked before the container is touched.
 */
public final class Packer {
  private final ContainerWriter writer;
  private final Path debugRoot;
  private boolean consistent;

  /** @param objcopy the objcopy executable (a name found on PATH, or a path) */
  public Packer(String objcopy) {
    this(objcopy, SeparateDebugFile.DEFAULT_ROOT);
  }

  /**
   * @param objcopy the objcopy executable (a name found on PATH, or a path)
   * @param debugRoot where separate debug files are, by build-id ({@code /usr/lib/debug})
   */
  public Packer(String objcopy, Path debugRoot) {
    this.writer = new ContainerWriter(objcopy);
    this.debugRoot = debugRoot;
  }

  /** Whether the patches it packs get the consistency check ({@code --consistent}). */
  public Packer consistent(boolean on) {
    this.consistent = on;
    return this;
  }

  /** Packs the container named by {@code description} into {@code output}, or in place when it is null. */
  public PackResult pack(Path description, Path output) throws IOException, PatchException {
    return pack(description, output, null, null);
  }

  /**
   * As {@link #pack(Path, Path)}, with the container and the target library (or its symbol file)
   * given here instead of by the description when not null: libpulp's {@code packer -l} and
   * {@code -t}.
   */
  public PackResult pack(Path description, Path output, Path livepatch, Path targetLibrary)
      throws IOException, PatchException {
    PatchDescription parsed = DescriptionParser.parse(description);
    PatchDescription d = new PatchDescription(parsed.file(), parsed.bytes(),
        livepatch != null ? livepatch : parsed.container(), parsed.containerLine(),
        targetLibrary != null ? targetLibrary : parsed.target(), parsed.targetLine(), parsed.functions(),
        parsed.references(), parsed.labels());
    ContainerLibrary container = ContainerLibrary.open(d.container(), d.file(), d.containerLine());
    try (TargetLibrary target = TargetLoader.load(d.target(), d.file(), d.targetLine(), debugRoot)) {
      return pack(d, output, container, target);
    }
  }

  private PackResult pack(PatchDescription d, Path output, ContainerLibrary container, TargetLibrary target)
      throws IOException, PatchException {
    Path dsc = d.file();
    List<String> resolutions = new ArrayList<>();

    List<FunctionPair> functions = new ArrayList<>();
    for (FunctionLine f : d.functions()) {
      long offset;
      SymbolFile.Entry symbol = null;
      if (f.offset() != null && target.firstHaving(f.oldName()).isEmpty()) {
        offset = f.offset();
        resolutions.add(f.oldName() + ": 0x" + Long.toHexString(offset) + " (as the line gives it; " + target.name()
            + " does not name it)");
      } else {
        SymbolResolver.Resolved old = SymbolResolver.resolve(target, f.oldName(), SymbolRole.FUNCTION, dsc, f.line());
        symbol = old.entry();
        offset = old.entry().offset();
        if (f.offset() != null && f.offset() != offset) {
          throw PackerException.at(dsc, f.line(), "the offset 0x" + Long.toHexString(f.offset()) + " is not where "
              + target.name() + " has " + f.oldName() + " (0x" + Long.toHexString(offset)
              + "): write it again from this build of the library (nm), or leave it out");
        }
        resolutions.add(describe(f.oldName(), old));
      }
      container.require(f.newName(), SymbolRole.FUNCTION, dsc, f.line());
      FunctionPair pair = function(f, offset, symbol, target, dsc);
      if (pair.unprepared()) {
        resolutions.add(f.oldName() + ": no live-patch padding; a 5-byte jump at its entry is safe (unprepared, entry CRC "
            + String.format("%08x", pair.entryCrc()) + ")");
      }
      functions.add(pair);
    }
    List<PrivateReference> references = new ArrayList<>();
    for (ReferenceLine r : d.references()) {
      references.add(reference(r, target, container, dsc, resolutions));
    }

    PatchId id = PatchId.derive(container.buildId(), d.bytes());
    PatchMetadata apply = new PatchMetadata(PatchKind.APPLY, id, target.name(), target.buildId(), container.buildId(),
        functions, references, d.labels(), consistent);
    byte[] ulp = MetadataEncoder.encode(apply);
    byte[] rev = MetadataEncoder.encode(apply.revert());
    // In place, a container that is a symbolic link (libtool's libfix.so -> libfix.so.0.0.0)
    // stays one: the file it names is packed.
    Path out = output == null ? d.container().toRealPath() : output;
    writer.write(d.container(), out, ulp, rev);
    return new PackResult(out, apply, resolutions);
  }

  /**
   * The record of one {@code old:new} line: prepared (kulp's padding), unprepared (a 5-byte jump
   * at its redirect point, with the CRC of the bytes it replaces), or refused with the reason. A
   * symbol file records no code, so its functions are left to the runtime's padding check.
   */
  private static FunctionPair function(FunctionLine f, long offset, SymbolFile.Entry symbol, TargetLibrary target,
      Path dsc) throws IOException, PackerException {
    if (!target.knowsCode()) {
      return new FunctionPair(f.oldName(), f.newName(), offset);
    }
    EntryVerdict v = symbol == null ? target.entries().verdict(offset, 0, SymbolType.NOTYPE)
        : target.entries().verdict(offset, symbol.size(), symbol.type());
    if (v instanceof EntryVerdict.Unprepared u) {
      return FunctionPair.unprepared(f.oldName(), f.newName(), offset, u.entryCrc());
    }
    if (v instanceof EntryVerdict.Refused r) {
      throw PackerException.at(dsc, f.line(), "function " + f.oldName() + " (0x" + Long.toHexString(offset) + ") of "
          + target.name() + " cannot be patched: it has no live-patch padding, and a 5-byte jump at its entry is not"
          + " safe: " + r.reason() + "; patch its callers instead, or build the library with"
          + " -fpatchable-function-entry=16,14");
    }
    return new FunctionPair(f.oldName(), f.newName(), offset);
  }

  /**
   * One {@code #} line. Its target offset comes from the symbol, or from the line
   * ({@code #target:ref:TARGET_OFFSET:PATCH_OFFSET}); a given offset must agree with the
   * symbol when the target names it, and is taken as written when it does not (a stripped
   * library, as libpulp does).
   */
  private static PrivateReference reference(ReferenceLine r, TargetLibrary target, ContainerLibrary container, Path dsc,
      List<String> resolutions) throws PackerException {
    SymbolRole role = SymbolRole.of(r.kind());
    long targetOffset;
    if (r.offsets() != null && target.firstHaving(r.targetName()).isEmpty()) {
      targetOffset = r.offsets().target();
      resolutions.add(r.targetName() + ": 0x" + Long.toHexString(targetOffset) + " (as the line gives it; "
          + target.name() + " does not name it)");
    } else {
      SymbolResolver.Resolved t = SymbolResolver.resolve(target, r.targetName(), role, dsc, r.line());
      targetOffset = t.entry().offset();
      if (r.offsets() != null && r.offsets().target() != targetOffset) {
        throw PackerException.at(dsc, r.line(), "TARGET_OFFSET 0x" + Long.toHexString(r.offsets().target())
            + " is not where " + target.name() + " has " + r.targetName() + " (0x" + Long.toHexString(targetOffset)
            + "): write the offsets again from this build of the library (nm)");
      }
      resolutions.add(describe(r.targetName(), t));
    }
    long patchOffset = container.pointer(r.patchName(), r.kind(), r.offsets() == null ? null : r.offsets().patch(), dsc,
        r.line());
    return new PrivateReference(r.targetName(), r.patchName(), targetOffset, r.kind(), patchOffset);
  }

  private static String describe(String name, SymbolResolver.Resolved r) {
    return name + ": 0x" + Long.toHexString(r.entry().offset()) + " (" + r.entry().binding() + " " + r.entry().type()
        + " in " + r.source() + ")";
  }
}
