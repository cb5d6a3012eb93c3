package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.patch.PatchContainer;
import io.kulp.testing.Fixtures;
import io.kulp.testing.TargetProgram;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Functions of ordinary builds, without kulp's padding, in running processes: the system's own,
 * unmodified libz.so.1 and libcrypto.so.3 (Debian's packages), an ordinary library built here
 * without {@code -fpatchable-function-entry}, and a function of an ordinary program. The runtime
 * redirects each with a 5-byte jump, switched through an int3 (docs/design.md, "Functions without
 * padding"), while other threads keep calling them.
 */
class UnpreparedFunctionsIT {
  private static final long ORIGINAL_BOUND = 1013; // compressBound(1000) of zlib 1.2.13
  private static Engine engine;
  private TargetProgram program;

  @BeforeAll
  static void engine() {
    engine = new PtraceEngine(PtraceEngine.Options.defaults());
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  @AfterEach
  void stop() {
    if (program != null) {
      program.close();
    }
  }

  private TargetProgram start() throws IOException {
    program = TargetProgram.startPreloaded(Fixtures.fixture("kfix-plain"));
    program.await(l -> l.startsWith("ready"));
    return program;
  }

  private static Operation apply(String patch) throws Exception {
    return new Operation.Apply(PatchContainer.read(Fixtures.patch(patch)));
  }

  private static Operation revert(String patch) throws Exception {
    PatchContainer c = PatchContainer.read(Fixtures.patch(patch));
    return new Operation.Revert(c.apply().id(), c.path().getFileName().toString());
  }

  private OperationResult run(Operation op) {
    return engine.run(program.pid(), List.of(op)).get(0);
  }

  private void expect(Operation op, Outcome outcome) {
    OperationResult r = run(op);
    assertThat(r.outcome()).as(r.message()).isEqualTo(outcome);
  }

  private long bound() throws IOException {
    return Long.parseLong(program.ask("bound 1000", "bound"));
  }

  /** The first {@code n} bytes of {@code symbol}'s code in the running process. */
  private byte[] code(String library, String symbol, int n) throws IOException {
    long address = SymbolAddress.in(program.pid(), library, symbol);
    byte[] bytes = new byte[n];
    try (RandomAccessFile mem = new RandomAccessFile("/proc/" + program.pid() + "/mem", "r")) {
      mem.seek(address);
      mem.readFully(bytes);
    }
    return bytes;
  }

  @Test
  void theSystemsLibzIsPatchedUnder16CallingThreadsThrough200AppliesAndReverts() throws Exception {
    start();
    byte[] before = code("libz.so.1", "compressBound", 8);
    assertThat(program.ask("threads 16", "threads")).isEqualTo("16");
    Operation apply = apply("unprepared/zlib_bound");
    Operation revert = revert("unprepared/zlib_bound");
    for (int i = 0; i < 200; i++) {
      expect(apply, Outcome.APPLIED);
      expect(revert, Outcome.REVERTED);
    }
    program.send("stats");
    String stats = program.await(l -> l.startsWith("stats"));
    assertThat(stats).as("16 threads only ever saw the old or the new result").endsWith("unexpected=0");
    assertThat(Long.parseLong(stats.replaceAll(".*calls=(\\d+).*", "$1"))).isGreaterThan(1_000_000);
    assertThat(bound()).isEqualTo(ORIGINAL_BOUND);
    assertThat(code("libz.so.1", "compressBound", 8)).as("its own bytes are back").isEqualTo(before);
  }

  @Test
  void patchesStackAreRevertedOutOfOrderAndAllAtOnceInTheSystemsLibz() throws Exception {
    start();
    program.ask("threads 4", "threads");
    expect(apply("unprepared/zlib_bound"), Outcome.APPLIED);
    assertThat(bound()).isEqualTo(ORIGINAL_BOUND + 1000);
    expect(apply("unprepared/zlib_bound3"), Outcome.APPLIED);
    assertThat(bound()).isEqualTo(ORIGINAL_BOUND + 2000);
    expect(revert("unprepared/zlib_bound"), Outcome.REVERTED);
    assertThat(bound()).as("the newer patch stays when the older one goes").isEqualTo(ORIGINAL_BOUND + 2000);
    expect(apply("unprepared/zlib_bound"), Outcome.APPLIED);
    assertThat(bound()).isEqualTo(ORIGINAL_BOUND + 1000);
    expect(new Operation.RevertAll("libz.so.1"), Outcome.REVERTED);
    assertThat(bound()).isEqualTo(ORIGINAL_BOUND);
    assertThat(engine.read(program.pid()).patches()).isEmpty();
    program.send("stats");
    assertThat(program.await(l -> l.startsWith("stats"))).endsWith("unexpected=0");
  }

  @Test
  void theSystemsLibcryptoIsPatchedIncludingAnAssemblyFunctionThatStartsWithEndbr64() throws Exception {
    start();
    program.ask("cthreads 8", "cthreads");
    byte[] before = code("libcrypto.so.3", "CRYPTO_memcmp", 12);
    assertThat(HexFormat.of().formatHex(before, 0, 4)).as("endbr64").isEqualTo("f30f1efa");
    expect(apply("unprepared/crypto"), Outcome.APPLIED);
    assertThat(program.ask("sslver", "sslver")).isEqualTo("40000000");
    assertThat(program.ask("cmp", "cmp")).isEqualTo("2");
    byte[] patched = code("libcrypto.so.3", "CRYPTO_memcmp", 12);
    assertThat(HexFormat.of().formatHex(patched, 0, 5)).as("endbr64 kept, the jump after it").startsWith("f30f1efae9");
    expect(revert("unprepared/crypto"), Outcome.REVERTED);
    assertThat(program.ask("cmp", "cmp")).isEqualTo("1");
    assertThat(program.ask("sslver", "sslver")).isEqualTo("30000130");
    assertThat(code("libcrypto.so.3", "CRYPTO_memcmp", 12)).isEqualTo(before);
    program.send("stats");
    assertThat(program.await(l -> l.startsWith("stats"))).endsWith("unexpected=0");
  }

  @Test
  void anOrdinaryLibraryAndAFunctionOfTheProgramItselfArePatched() throws Exception {
    start();
    expect(apply("unprepared/plain"), Outcome.APPLIED);
    assertThat(program.ask("value", "value")).isEqualTo("2");
    assertThat(program.ask("cet 5", "cet")).as("after endbr64").isEqualTo("17");
    expect(apply("unprepared/plain_main"), Outcome.APPLIED);
    assertThat(program.ask("main", "main")).isEqualTo("20");
    expect(revert("unprepared/plain_main"), Outcome.REVERTED);
    expect(revert("unprepared/plain"), Outcome.REVERTED);
    assertThat(program.ask("main", "main")).isEqualTo("10");
    assertThat(program.ask("value", "value")).isEqualTo("1");
    assertThat(program.ask("cet 5", "cet")).isEqualTo("16");
  }

  @Test
  void aThreadParkedInsideTheBytesToOverwriteHoldsTheSwitchBackAndNothingIsCorrupted() throws Exception {
    start();
    byte[] before = code("libkplain.so.1", "kplain_read", 5);
    assertThat(program.ask("park", "park")).as("a thread sleeps in read(2) at kplain_read + 4").isEqualTo("1");
    OperationResult refused = run(apply("unprepared/plain_read"));
    assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(refused.message()).contains("thread");
    assertThat(code("libkplain.so.1", "kplain_read", 5)).as("its bytes are untouched").isEqualTo(before);
    assertThat(program.ask("unpark", "unpark")).as("the parked thread's read(2) returns normally").isEqualTo("1");
    expect(apply("unprepared/plain_read"), Outcome.APPLIED);
    assertThat(program.ask("park", "park")).as("the patched read does not block any more").isEqualTo("0");
    assertThat(program.ask("unpark", "unpark")).as("it answered 42 at once").isEqualTo("42");
  }

  @Test
  void aProcessWithAThreadThatBlocksSigtrapIsRefusedWithTheReason() throws Exception {
    start();
    program.ask("blocktrap", "blocktrap");
    OperationResult refused = run(apply("unprepared/zlib_bound"));
    assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(refused.message()).contains("blocks SIGTRAP").contains("compressBound");
    assertThat(bound()).isEqualTo(ORIGINAL_BOUND);
  }

  /** Where a dynamic symbol of a library lies in a process: its load base plus its value. */
  static final class SymbolAddress {
    static long in(int pid, String library, String symbol) throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
        String[] f = line.trim().split("\\s+");
        // the file may be the SONAME's target, e.g. libz.so.1.2.13
        if (f.length >= 6 && Path.of(f[5]).getFileName().toString().startsWith(library) && f[2].equals("00000000")) {
          long base = Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
          try (ElfFile elf = ElfFile.open(Path.of(f[5]))) {
            List<ElfSymbol> symbols = new ArrayList<>(elf.dynamicSymbols());
            symbols.addAll(elf.symbols());
            return base + symbols.stream().filter(s -> s.name().equals(symbol) && s.isDefined()).findFirst()
                .orElseThrow().value();
          }
        }
      }
      throw new IllegalStateException(library + " is not mapped in " + pid);
    }
  }
}
