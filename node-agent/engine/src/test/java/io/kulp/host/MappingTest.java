package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MappingTest {
  @Test
  void parsesAFileBackedMapping() {
    Mapping m = Mapping.parse("7f1c2a000000-7f1c2a022000 r-xp 00002000 fd:01 1835 /usr/lib/x86_64-linux-gnu/libc.so.6");
    assertThat(m.start()).isEqualTo(0x7f1c2a000000L);
    assertThat(m.end()).isEqualTo(0x7f1c2a022000L);
    assertThat(m.executable()).isTrue();
    assertThat(m.offset()).isEqualTo(0x2000);
    assertThat(m.device()).isEqualTo("fd:01");
    assertThat(m.inode()).isEqualTo(1835);
    assertThat(m.basename()).isEqualTo("libc.so.6");
    assertThat(m.mapFilesName()).isEqualTo("7f1c2a000000-7f1c2a022000");
  }

  @Test
  void keepsSpacesInPathsAndAcceptsAnonymousMappings() {
    assertThat(Mapping.parse("1000-2000 rw-p 00000000 00:00 0 ").path()).isEmpty();
    assertThat(Mapping.parse("1000-2000 r--p 00000000 08:01 7 /opt/my app/lib x.so").path())
        .isEqualTo("/opt/my app/lib x.so");
  }

  @Test
  void rejectsALineThatIsNotAMapping() {
    assertThat(Mapping.parse("garbage")).isNull();
    assertThat(Mapping.parse("zz-2000 r--p 0 08:01 7")).isNull();
  }
}
