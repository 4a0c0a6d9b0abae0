package dev.jgrad.tests.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * build-kernels.sh compiles a module again only when its .cu, a header or the compiler changed,
 * and rewrites nothing when nothing changed (so Maven repacks no jar). A stand-in nvcc records
 * each call, so this runs in a second, with or without CUDA.
 */
class KernelBuildIncrementalTest {
    private static final Path SCRIPT = Path.of("../native-kernels/src/main/sh/build-kernels.sh").toAbsolutePath();

    /** An nvcc that logs its arguments, writes its -o file and, for -cubin, a clean ptxas report on stderr. */
    private static final String FAKE_NVCC = """
            #!/usr/bin/env bash
            if [ "$1" = --version ]; then echo "Cuda compilation tools, release ${FAKE_NVCC_VERSION:-12.6}, V0"; exit 0; fi
            echo "$*" >> "$FAKE_NVCC_LOG"
            out=; src=
            while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift 2 ;; *.cu) src=$1; shift ;; *) shift ;; esac; done
            [ "$out" = /dev/null ] || echo "fatbin of $src" > "$out"
            echo "ptxas info    : Compiling entry function 'k' for 'sm_90'" >&2
            echo "ptxas info    : 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads" >&2
            """;

    private Path src, out, log, nvcc;

    private List<String> build(String nvccVersion) throws Exception {
        long before = Files.exists(log) ? Files.readAllLines(log).size() : 0;
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), src.toString(), out.toString()).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        pb.environment().put("JGRAD_NVCC", nvcc.toString());
        pb.environment().put("FAKE_NVCC_LOG", log.toString());
        pb.environment().put("FAKE_NVCC_VERSION", nvccVersion);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "build-kernels.sh hung");
        assertEquals(0, p.exitValue(), output);
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return calls.subList((int) before, calls.size());
    }

    /** The modules compiled by {@code calls}: each compile is a -fatbin and a -cubin call naming the .cu. */
    private static List<String> compiled(List<String> calls) {
        return calls.stream().filter(c -> c.contains("-fatbin"))
                .map(c -> Path.of(c.substring(c.lastIndexOf(' ') + 1)).getFileName().toString()).sorted().toList();
    }

    private static void age(Path file, int secondsFromNow) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsFromNow)));
    }

    /** An edit of {@code file} now: newer than every output so far, older than those the next build writes. */
    private static void edit(Path file) throws Exception {
        Thread.sleep(20);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        Thread.sleep(20);
    }

    @Test
    void onlyWhatChangedIsCompiledAndNothingIsRewrittenOtherwise(@TempDir Path tmp) throws Exception {
        src = Files.createDirectory(tmp.resolve("cuda"));
        out = tmp.resolve("out");
        log = tmp.resolve("nvcc.log");
        nvcc = tmp.resolve("nvcc");
        Files.writeString(nvcc, FAKE_NVCC);
        Files.setPosixFilePermissions(nvcc, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(src.resolve("common.cuh"), "// shared\n");
        Files.writeString(src.resolve("a.cu"), "// a\n");
        Files.writeString(src.resolve("b.cu"), "// b\n");
        // Sources in the past, so that every output written now is newer than them.
        for (String f : List.of("common.cuh", "a.cu", "b.cu")) age(src.resolve(f), -100);

        assertEquals(List.of("a.cu", "b.cu"), compiled(build("12.6")), "the first build compiles everything");
        String props = Files.readString(out.resolve("kernels.properties"));
        assertTrue(props.contains("built=true") && props.contains("modules=a,b"), props);

        FileTime fatbin = Files.getLastModifiedTime(out.resolve("a.fatbin"));
        FileTime propsTime = Files.getLastModifiedTime(out.resolve("kernels.properties"));
        FileTime dirTime = Files.getLastModifiedTime(out);
        Thread.sleep(20);
        assertEquals(List.of(), compiled(build("12.6")), "nothing changed, nothing compiled");
        assertEquals(fatbin, Files.getLastModifiedTime(out.resolve("a.fatbin")));
        assertEquals(propsTime, Files.getLastModifiedTime(out.resolve("kernels.properties")), "kernels.properties rewritten");
        assertEquals(dirTime, Files.getLastModifiedTime(out), "a file was made or removed in the output directory");

        edit(src.resolve("a.cu"));
        assertEquals(List.of("a.cu"), compiled(build("12.6")), "a.cu changed");
        edit(src.resolve("common.cuh"));
        assertEquals(List.of("a.cu", "b.cu"), compiled(build("12.6")), "the shared header changed");
        assertEquals(List.of("a.cu", "b.cu"), compiled(build("12.8")), "another nvcc");
        assertEquals(List.of(), compiled(build("12.8")));
    }
}
