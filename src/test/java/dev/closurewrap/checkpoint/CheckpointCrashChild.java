package dev.closurewrap.checkpoint;

import dev.closurewrap.io.AtomicFiles;
import dev.closurewrap.io.ByteString;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link CheckpointCrashTest}: writers follow the durability protocol
 * (durable output, then DONE) until the parent kills the process. After each DONE returns it prints
 * {@code done PATH}, so the parent knows which records the store must still hold.
 * Arguments: STATE_DIR OUT_DIR THREADS.
 */
public final class CheckpointCrashChild {
    private CheckpointCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        Files.createDirectories(out);
        PrintStream report = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        CheckpointStore store = CheckpointStore.open(state, CheckpointCrashTest.JOB,
                CheckpointStore.OnOtherJob.REFUSE, SyncPolicy.batched(16));
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    for (int i = 0; ; i++) {
                        String name = "t" + thread + "-f" + i;
                        ByteString path = ByteString.utf8("store/x/" + name);
                        Sha256 input = Sha256.hash(path.toByteArray());
                        if (store.register(path, input, CheckpointCrashTest.PLAN).state().isFinished()) {
                            continue;
                        }
                        byte[] content = CheckpointCrashTest.content(name);
                        AtomicFiles.write(out.resolve(name), true, o -> o.write(content));
                        store.markDone(path, input, CheckpointCrashTest.PLAN, Sha256.hash(content));
                        synchronized (report) {
                            report.println("done " + path.utf8());
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(9);
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }
}
