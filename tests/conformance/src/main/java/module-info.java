/**
 * jgrad's backend conformance suite, runnable on any backend through
 * {@link dev.jgrad.conformance.Conformance#assertConforms(String...)}.
 */
module dev.jgrad.conformance {
    requires transitive dev.jgrad.engine;
    requires transitive org.junit.jupiter.api;
    requires org.junit.platform.launcher;
    requires com.google.gson;

    exports dev.jgrad.conformance;
    // JUnit instantiates the (package-private) test classes reflectively
    opens dev.jgrad.conformance to org.junit.platform.commons;
}
