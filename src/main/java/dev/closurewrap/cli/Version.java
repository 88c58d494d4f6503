package dev.closurewrap.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (a development build says so). */
final class Version implements IVersionProvider {
    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"closure-wrap " + current()};
    }
}
