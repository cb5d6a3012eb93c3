package io.kulp.testing;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.TimeZone;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Gives each test JVM a default time zone in which it is about noon, before any test runs.
 *
 * <p>kube-api-test 7.5.2 times the API server's start-up with {@code LocalTime}, in the default
 * zone: in the minute before local midnight, the deadline wraps to the next day and every start
 * fails at once with "Kube API Server did not start properly" (seen in a CI run at 23:59 UTC).
 * Nothing in kulp's tests depends on the default zone otherwise; they print instants in UTC.
 * Registered in META-INF/services, so every module with the engine's test jar gets it.
 */
public final class AwayFromMidnight implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    int hour = ZonedDateTime.now(ZoneOffset.UTC).getHour();
    int offset = ((12 - hour) % 24 + 24 + 12) % 24 - 12; // -12..11 hours: local time within the hour of noon
    TimeZone.setDefault(TimeZone.getTimeZone(ZoneId.of(ZoneOffset.ofHours(offset).getId())));
  }
}
