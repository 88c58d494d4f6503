package dev.closurewrap.rewrite;

import java.io.IOException;
import java.nio.file.Path;

/** {@code integration/bench-launchers.sh} runs this to get a relative bundle of the test closure at DIR. */
public final class TestBundleMain {
    private TestBundleMain() {}

    public static void main(String[] args) throws IOException {
        TestBundle.build(Path.of(args[0]));
    }
}
