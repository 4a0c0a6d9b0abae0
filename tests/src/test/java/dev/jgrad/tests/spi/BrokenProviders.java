package dev.jgrad.tests.spi;

import dev.jgrad.engine.Backend;
import dev.jgrad.engine.BackendProvider;

import java.util.List;

/**
 * Backend providers that fail in each way a provider can, for {@link BrokenProviderTest}. They are
 * registered only in the services file that test writes for its child JVM, never for the suite.
 */
final class BrokenProviders {
    private BrokenProviders() {}

    /** What the broken ones that get far enough to be asked say they are. */
    abstract static class Base implements BackendProvider {
        @Override
        public String type() {
            return "broken";
        }

        @Override
        public int rank() {
            return 1000;  // would win auto if it were usable
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Backend create() {
            throw new AssertionError("a broken provider must never be asked for its backend");
        }

        @Override
        public List<Backend> variants() {
            throw new AssertionError("a broken provider must never be asked for its kernel sets");
        }
    }

    public static final class ThrowsInConstructor extends Base {
        public ThrowsInConstructor() {
            throw new IllegalStateException("constructor failure on purpose");
        }
    }

    public static final class ThrowsInStaticInit extends Base {
        static {
            if (true) throw new IllegalStateException("static initializer failure on purpose");
        }
    }

    public static final class ThrowsInType extends Base {
        @Override
        public String type() {
            throw new UnsupportedOperationException("type() failure on purpose");
        }
    }

    /** Loads, but cannot say whether it is usable: it is reported unavailable, never picked. */
    public static final class ThrowsInUnavailableReason extends Base {
        @Override
        public String type() {
            return "flaky";
        }

        @Override
        public String unavailableReason() {
            throw new IllegalStateException("probe failure on purpose");
        }
    }

    /** Not a BackendProvider at all. */
    public static final class NotAProvider {}
}
