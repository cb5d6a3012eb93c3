package io.kulp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class AwayFromMidnightTest {
  @Test
  void testsRunInAZoneWhereItIsAboutNoonSoThatLocalTimeDeadlinesNeverWrapAtMidnight() {
    // kube-api-test's start-up deadline is a LocalTime: see AwayFromMidnight
    assertThat(LocalTime.now().getHour()).isBetween(12, 13);
  }
}
