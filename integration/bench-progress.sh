#!/usr/bin/env bash
# Cost of progress reporting per file event, against a listener that does nothing (the peer: no
# progress at all). THREADS worker threads each report PER files to one reporter: the terminal bar,
# the plain log, --quiet, and ProgressListener.NONE. Prints ns per event, median of RUNS rounds.
# Usage: integration/bench-progress.sh    Env: THREADS (default 2), PER (default 1000000), RUNS (default 5)
set -euo pipefail

repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
work=$(mktemp -d /tmp/bench-progress.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ ! -d "$repo/target/classes/dev/closurewrap/cli" ] || [ ! -d "$repo/target/lib" ]; then
  (cd "$repo" && mvn -q -B package -DskipTests)
fi
mkdir -p "$work/src/dev/closurewrap/cli"
cat > "$work/src/dev/closurewrap/cli/ProgressBench.java" <<'JAVA'
package dev.closurewrap.cli;

import dev.closurewrap.bundle.ProgressListener;
import dev.closurewrap.bundle.ProgressListener.Outcome;
import dev.closurewrap.bundle.ProgressListener.Phase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;

public class ProgressBench {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int per = Integer.parseInt(args[1]);
        int runs = Integer.parseInt(args[2]);
        for (String kind : new String[] {"none (peer)", "quiet", "log", "terminal"}) {
            double[] ns = new double[runs + 1];
            for (int run = 0; run <= runs; run++) { // run 0 warms up
                PrintWriter sink = new PrintWriter(new StringWriter());
                ProgressListener l = switch (kind) {
                    case "terminal" -> new TerminalProgress(sink, System::nanoTime, 100, false);
                    case "log" -> new LogProgress(sink, System::nanoTime, Duration.ofSeconds(1), false);
                    case "quiet" -> new ProgressReporter(sink, System::nanoTime);
                    default -> ProgressListener.NONE;
                };
                l.phaseStarted(Phase.REWRITE, (long) threads * per, (long) threads * per * 100);
                Thread[] ts = new Thread[threads];
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    ts[t] = new Thread(() -> {
                        for (int i = 0; i < per; i++) {
                            l.fileDone("store/x/f", 100, Outcome.REWRITTEN);
                        }
                    });
                    ts[t].start();
                }
                for (Thread t : ts) {
                    t.join();
                }
                ns[run] = (double) (System.nanoTime() - t0) / ((long) threads * per);
                l.phaseFinished(Phase.REWRITE);
            }
            double[] measured = Arrays.copyOfRange(ns, 1, ns.length);
            Arrays.sort(measured);
            System.out.printf("%-12s %7.1f ns/event%n", kind, measured[measured.length / 2]);
        }
    }
}
JAVA
cp="$repo/target/classes:$repo/target/lib/*"
javac -d "$work/out" -cp "$cp" "$work/src/dev/closurewrap/cli/ProgressBench.java"
echo "threads=${THREADS:-2} files/thread=${PER:-1000000} runs=${RUNS:-5} cores=$(nproc)"
java -cp "$work/out:$cp" dev.closurewrap.cli.ProgressBench "${THREADS:-2}" "${PER:-1000000}" "${RUNS:-5}"
