package io.kulp.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest; "development build" when run from classes. */
final class UlpVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Ulp.class.getPackage().getImplementationVersion();
    return new String[] {"ulp (kulp) " + (v == null ? "development build" : v)};
  }
}
