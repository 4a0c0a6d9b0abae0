package dev.jgrad.tests;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's code examples are copies of code that a build compiles and runs: the API example
 * of {@link ReadmeExampleTest}, and the "Use jgrad from Maven" example of the consumer project
 * (tests/consumer, built and run by tests/run-examples.sh), the raw-buffer example of
 * {@code spi/RawBufferExampleTest}, and the training example of {@code train/ReadmeTrainingExampleTest}. This test fails when a README copy
 * and its source differ.
 */
class ReadmeSyncTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();  // Surefire runs in tests/

    @Test
    void apiExampleMatchesReadmeExampleTest() throws IOException {
        assertReadmeHolds(ROOT.resolve("tests/src/test/java/dev/jgrad/tests/ReadmeExampleTest.java"), "README example");
    }

    @Test
    void mavenExampleMatchesTheConsumerProject() throws IOException {
        assertReadmeHolds(ROOT.resolve("tests/consumer/src/main/java/dev/jgrad/example/Example.java"), "README consumer example");
    }

    @Test
    void rawBufferExampleMatchesRawBufferExampleTest() throws IOException {
        assertReadmeHolds(ROOT.resolve("tests/src/test/java/dev/jgrad/tests/spi/RawBufferExampleTest.java"),
                "README raw-buffer example");
    }

    @Test
    void trainingExampleMatchesReadmeTrainingExampleTest() throws IOException {
        assertReadmeHolds(ROOT.resolve("tests/src/test/java/dev/jgrad/tests/train/ReadmeTrainingExampleTest.java"),
                "README training example");
    }

    private static void assertReadmeHolds(Path source, String marker) throws IOException {
        String block = markedBlock(Files.readAllLines(source), marker);
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertTrue(readme.contains("```java\n" + block + "```\n"),
                "README.md lacks, as a java code block, the lines between '// " + marker + " begins/ends' of "
                        + ROOT.relativize(source) + ":\n" + block);
    }

    /** The lines strictly between the markers, with their common indentation removed. */
    static String markedBlock(List<String> lines, String marker) {
        int begin = -1, end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("// " + marker + " begins")) begin = i;
            if (lines.get(i).strip().equals("// " + marker + " ends")) end = i;
        }
        if (begin < 0 || end <= begin) fail("no '// " + marker + " begins' ... 'ends' pair");
        List<String> body = lines.subList(begin + 1, end);
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : body) sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        return sb.toString();
    }
}
