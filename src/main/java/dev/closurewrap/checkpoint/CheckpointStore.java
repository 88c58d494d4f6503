package dev.closurewrap.checkpoint;

import dev.closurewrap.io.ByteString;
import dev.closurewrap.io.FileIdentity;
import dev.closurewrap.io.KnownHashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The wrap job's checkpoints, in an embedded RocksDB under {@code --state DIR}: one job record, one
 * record per output file (input hash, plan hash, state, output hash), and a result index
 * (input hash + plan hash → output hash) that outlives restarts so equal work is done once.
 * Safe for concurrent use by many threads.
 *
 * <h2>Durability protocol</h2>
 *
 * The store must never say DONE for an output that a crash could take back. The job does, per file:
 * <ol>
 *   <li>write the output to a temp file beside its target, {@code fsync} it;</li>
 *   <li>rename it over the target, {@code fsync} the directory
 *       ({@link dev.closurewrap.io.AtomicFiles#commit}); for archive outputs, "the target" is the
 *       staged file the archive will be built from;</li>
 *   <li>only then call {@link #markDone} (or {@link #markCopiedUnchanged}).</li>
 * </ol>
 * One relaxation, for directory outputs: a <em>new</em> entry's directory is fsynced when the
 * output is finished, not before the record. A power cut can then leave a DONE record whose entry
 * is missing; resuming a directory output checks that each recorded entry exists, so the file is
 * redone. Its content is still fsynced before the entry appears (an entry that is there is
 * whole), and an entry that replaced an older one is synced at once, since the older content
 * would otherwise pass that check. (A directory job's staged files are links to its output
 * files, made after the record and never synced as links: only the result index reaches them
 * again, and it checks their hash.)
 * Every record goes to RocksDB's write-ahead log before the call returns (the log is never
 * disabled, so after {@code kill -9} the operating system still holds it). With
 * {@link SyncPolicy#EVERY_RECORD} the log is fsynced inside the call; with a batched policy it is
 * fsynced every N records, by the first record written {@link SyncPolicy#maxDelay} or more after
 * the last fsync, and on {@link #close}. A power cut can then lose only the newest records,
 * and RocksDB recovers the log to a consistent prefix ({@link WALRecoveryMode#PointInTimeRecovery}):
 * a lost DONE reads as PENDING and the file is redone, while a DONE that survives always refers to
 * an output that was durable before the record was written. The file record and its result-index
 * entry are written in one atomic batch.
 *
 * <h2>One job per state directory</h2>
 *
 * {@link #open} compares the stored {@link JobRecord} with the requested one. A different command
 * is refused with {@link JobMismatchException}, or, with {@link OnOtherJob#RESTART}, its file
 * records are discarded (the result index is kept: it is keyed by content, not by job).
 * RocksDB's own lock file keeps a second process from opening the same directory for writing
 * ({@link StateDirectoryBusyException}); {@link #readStatus} opens read-only and works beside a running job.
 */
public final class CheckpointStore implements AutoCloseable {
    /** What to do when the state directory holds a different job. */
    public enum OnOtherJob { REFUSE, RESTART }

    private static final byte[] FILES = "files".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESULTS = "results".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASHES = "hashes".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USED = "used".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JOB_KEY = "job".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FINISHED_KEY = "finished".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.US_ASCII);
    /** 2 added the {@code hashes} and {@code used} families; a format-1 database is upgraded in place. */
    private static final byte[] FORMAT = "2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORMAT_1 = "1".getBytes(StandardCharsets.US_ASCII);

    static {
        // Unpacks and loads the native library once per class loader.
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle meta;
    private volatile ColumnFamilyHandle files;
    private final ColumnFamilyHandle results;
    private final ColumnFamilyHandle hashes;
    private final ColumnFamilyHandle used;
    private final List<ColumnFamilyHandle> handles;
    private final WriteOptions recordWrite;
    private final WriteOptions syncedWrite;
    /** For the known-hash cache: logged, never waited for. */
    private final WriteOptions cacheWrite = new WriteOptions();
    private final SyncPolicy syncPolicy;
    private final AtomicLong unsyncedRecords = new AtomicLong();
    private final AtomicLong lastSyncNanos = new AtomicLong(System.nanoTime());
    private final long maxDelayNanos;
    private final AtomicLong syncs = new AtomicLong();
    private final JobRecord job;

    private CheckpointStore(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db,
                            List<ColumnFamilyHandle> handles, SyncPolicy syncPolicy, JobRecord job) {
        this.dir = dir;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.db = db;
        this.handles = new ArrayList<>(handles);
        this.meta = handles.get(0);
        this.files = handles.get(1);
        this.results = handles.get(2);
        this.hashes = handles.get(3);
        this.used = handles.get(4);
        this.syncPolicy = syncPolicy;
        this.maxDelayNanos = syncPolicy.maxDelay().toNanos();
        this.recordWrite = new WriteOptions().setSync(syncPolicy.recordsPerSync() == 1);
        this.syncedWrite = new WriteOptions().setSync(true);
        this.job = job;
    }

    /**
     * Opens (creating if needed) the store in {@code stateDir} for {@code job}. A fresh directory
     * records the job; the same job resumes; another job is refused or restarted per {@code onOtherJob}.
     */
    public static CheckpointStore open(Path stateDir, JobRecord job, OnOtherJob onOtherJob, SyncPolicy syncPolicy)
            throws IOException {
        Files.createDirectories(stateDir);
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            List<ColumnFamilyDescriptor> all = new ArrayList<>(descriptors(cfOptions));
            all.add(new ColumnFamilyDescriptor(HASHES, cfOptions));
            all.add(new ColumnFamilyDescriptor(USED, cfOptions));
            db = RocksDB.open(dbOptions, stateDir.toString(), all, handles);
        } catch (RocksDBException e) {
            cfOptions.close();
            dbOptions.close();
            throw translate(stateDir, e);
        }
        CheckpointStore store = new CheckpointStore(stateDir, dbOptions, cfOptions, db, handles, syncPolicy, job);
        try {
            store.adopt(job, onOtherJob);
            return store;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The known input hashes of {@code stateDir}, opened read-only (beside any job that holds it),
     * for a scan that runs before the job's own store is opened; what the scan remembers is kept
     * in memory until {@link KnownHashSnapshot#saveTo} writes it into that store. Without a
     * database there, or one without known hashes (an older format), it knows nothing.
     */
    public static KnownHashSnapshot knownHashSnapshot(Path stateDir) {
        if (!Files.isRegularFile(stateDir.resolve("CURRENT"))) {
            return KnownHashSnapshot.none();
        }
        DBOptions dbOptions = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.openReadOnly(dbOptions, stateDir.toString(),
                    List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                            new ColumnFamilyDescriptor(HASHES, cfOptions)), handles);
            return new KnownHashSnapshot(new KnownHashSnapshot.ReadOnly(db, handles, cfOptions, dbOptions));
        } catch (RocksDBException e) {
            // A cache: an unreadable one (or none yet) only means reading every file.
            cfOptions.close();
            dbOptions.close();
            return KnownHashSnapshot.none();
        }
    }

    /** Reads where the job in {@code stateDir} stands, without locking it (a running job may hold it). */
    public static JobStatus readStatus(Path stateDir, int failureLimit) throws IOException {
        if (!Files.isRegularFile(stateDir.resolve("CURRENT"))) {
            throw new NoSuchFileException(stateDir.toString(), null, "no checkpoint database here");
        }
        try (DBOptions dbOptions = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
             ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db;
            try {
                db = RocksDB.openReadOnly(dbOptions, stateDir.toString(), descriptors(cfOptions), handles);
            } catch (RocksDBException e) {
                throw translate(stateDir, e);
            }
            try {
                return status(stateDir, db, handles.get(0), handles.get(1), handles.get(2), failureLimit);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
                db.close();
            }
        }
    }

    private static List<ColumnFamilyDescriptor> descriptors(ColumnFamilyOptions cfOptions) {
        return List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(FILES, cfOptions),
                new ColumnFamilyDescriptor(RESULTS, cfOptions));
    }

    private void adopt(JobRecord requested, OnOtherJob onOtherJob) throws IOException {
        try {
            byte[] format = db.get(meta, FORMAT_KEY);
            if (format != null && !java.util.Arrays.equals(format, FORMAT)) {
                if (!java.util.Arrays.equals(format, FORMAT_1)) {
                    throw new IOException(dir + ": checkpoint database format "
                            + new String(format, StandardCharsets.US_ASCII) + " is not supported (expected 1 or 2)");
                }
                // Opening it created the families format 2 added; an older closure-wrap now says so plainly.
                db.put(meta, syncedWrite, FORMAT_KEY, FORMAT);
            }
            byte[] storedBytes = db.get(meta, JOB_KEY);
            if (storedBytes != null) {
                JobRecord stored = RecordCodec.decodeJob(storedBytes);
                if (stored.sameJobAs(requested)) {
                    return;
                }
                if (onOtherJob == OnOtherJob.REFUSE) {
                    throw new JobMismatchException(dir, stored, requested);
                }
                // Forget the job first: a crash in the middle then leaves "no job", which clears below.
                db.delete(meta, syncedWrite, JOB_KEY);
                db.delete(meta, syncedWrite, FINISHED_KEY);
            }
            // No job recorded: any file records are left from an interrupted restart.
            clearFiles();
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(meta, FORMAT_KEY, FORMAT);
                batch.put(meta, JOB_KEY, RecordCodec.encodeJob(requested));
                db.write(syncedWrite, batch);
            }
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    private void clearFiles() throws RocksDBException {
        try (RocksIterator it = db.newIterator(files)) {
            it.seekToFirst();
            if (!it.isValid()) {
                return;
            }
        }
        ColumnFamilyHandle old = files;
        db.dropColumnFamily(old);
        handles.remove(old);
        old.close();
        files = db.createColumnFamily(new ColumnFamilyDescriptor(FILES, cfOptions));
        handles.add(files);
    }

    /** The job this store was opened for. */
    public JobRecord job() {
        return job;
    }

    /** The state directory. */
    public Path directory() {
        return dir;
    }

    /** The record for an output path, if any. */
    public Optional<FileRecord> get(ByteString path) throws IOException {
        try {
            byte[] value = db.get(files, path.toByteArray());
            return value == null ? Optional.empty() : Optional.of(RecordCodec.decodeFile(path.toByteArray(), value));
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    /**
     * Registers a planned file. If it is already finished with the same input and plan, that record
     * is returned and nothing is written (the resumed job skips it); otherwise it becomes PENDING.
     */
    public FileRecord register(ByteString path, Sha256 inputHash, Sha256 planHash) throws IOException {
        Optional<FileRecord> existing = get(path);
        if (existing.isPresent() && existing.get().isFinishedFor(inputHash, planHash)) {
            return existing.get();
        }
        FileRecord pending = new FileRecord(path, inputHash, planHash, new FileState.Pending());
        put(pending, null);
        return pending;
    }

    /**
     * Records a rewritten file. Call only after its output is durable (see the class comment).
     * Also records the result for reuse by any file with the same input and plan.
     */
    public void markDone(ByteString path, Sha256 inputHash, Sha256 planHash, Sha256 outputHash) throws IOException {
        FileRecord done = new FileRecord(path, inputHash, planHash, new FileState.Done(outputHash));
        put(done, RecordCodec.encodeResult(outputHash, path));
    }

    /**
     * Notes that a job made or reused the result {@code outputHash} now: the staged files least
     * recently used go first when the staging directory is over its limit. Not synced: a lost
     * note only makes a result look older.
     */
    public void markUsed(Sha256 outputHash) throws IOException {
        try {
            db.put(used, cacheWrite, outputHash.bytes().toByteArray(), RecordCodec.encodeUsed(System.currentTimeMillis()));
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    /** When each result was last made or reused (epoch milliseconds); a result never noted is not in the map. */
    public Map<Sha256, Long> lastUsed() throws IOException {
        Map<Sha256, Long> all = new java.util.HashMap<>();
        try (RocksIterator it = db.newIterator(used)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                Optional<Long> when = RecordCodec.decodeUsed(it.value());
                if (key.length == Sha256.LENGTH && when.isPresent()) {
                    all.put(Sha256.of(key), when.get());
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
        return all;
    }

    /** Records a file copied unchanged. Call only after the copy is durable. */
    public void markCopiedUnchanged(ByteString path, Sha256 inputHash, Sha256 planHash) throws IOException {
        put(new FileRecord(path, inputHash, planHash, new FileState.CopiedUnchanged()), null);
    }

    /** Records a file that could not be rewritten, with the reason shown to the user. */
    public void markFailed(ByteString path, Sha256 inputHash, Sha256 planHash, String reason) throws IOException {
        put(new FileRecord(path, inputHash, planHash, new FileState.Failed(reason)), null);
    }

    private void put(FileRecord record, byte[] result) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(files, record.path().toByteArray(), RecordCodec.encodeFile(record));
            if (result != null) {
                batch.put(results, RecordCodec.resultKey(record.inputHash(), record.planHash()), result);
            }
            if (record.state() instanceof FileState.Done done) {
                // Made now: what the staging directory's limit goes by (markUsed), in the same write.
                batch.put(used, done.outputHash().bytes().toByteArray(), RecordCodec.encodeUsed(System.currentTimeMillis()));
            }
            db.write(recordWrite, batch);
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
        if (syncPolicy.recordsPerSync() > 1) {
            boolean batchFull = unsyncedRecords.incrementAndGet() % syncPolicy.recordsPerSync() == 0;
            long last = lastSyncNanos.get();
            // One thread takes an overdue sync; the others go on (their records ride along or wait for the next).
            boolean overdue = maxDelayNanos > 0 && System.nanoTime() - last >= maxDelayNanos
                    && lastSyncNanos.compareAndSet(last, System.nanoTime());
            if (batchFull || overdue) {
                sync();
            }
        }
    }

    /** A result already produced for this input and plan, by this job or an earlier one here. */
    public Optional<ReusableResult> reusableResult(Sha256 inputHash, Sha256 planHash) throws IOException {
        try {
            byte[] value = db.get(results, RecordCodec.resultKey(inputHash, planHash));
            return value == null ? Optional.empty() : Optional.of(RecordCodec.decodeResult(value));
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    /** Every file record, in path byte order. */
    public List<FileRecord> records() throws IOException {
        List<FileRecord> all = new ArrayList<>();
        try (RocksIterator it = db.newIterator(files)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                all.add(RecordCodec.decodeFile(it.key(), it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
        return all;
    }

    /**
     * Every output hash that a DONE file record or a result-index entry names: the staged outputs a
     * resumed job or a later job on this state directory may still read.
     */
    public Set<Sha256> referencedOutputs() throws IOException {
        Set<Sha256> named = new HashSet<>();
        try (RocksIterator it = db.newIterator(files)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (RecordCodec.decodeFile(it.key(), it.value()).state() instanceof FileState.Done done) {
                    named.add(done.outputHash());
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
        try (RocksIterator it = db.newIterator(results)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                named.add(RecordCodec.decodeResult(it.value()).outputHash());
            }
            it.status();
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
        return named;
    }

    /**
     * Input files' SHA-256 by path and {@link FileIdentity}, kept across jobs like the result index:
     * a later scan of the same, unchanged files reads none of them whole. A cache: written without
     * waiting for the disk, and a lost or stale entry only costs reading the file again.
     */
    public KnownHashes knownHashes() {
        return new KnownHashes() {
            @Override
            public Optional<String> sha256(Path file, FileIdentity identity) throws IOException {
                try {
                    byte[] value = db.get(hashes, RecordCodec.knownHashKey(file));
                    return RecordCodec.decodeKnownHash(value, identity).map(Sha256::hex);
                } catch (RocksDBException e) {
                    throw translate(dir, e);
                }
            }

            @Override
            public void remember(Path file, FileIdentity identity, String sha256) throws IOException {
                try {
                    db.put(hashes, cacheWrite, RecordCodec.knownHashKey(file),
                            RecordCodec.encodeKnownHash(identity, Sha256.fromHex(sha256)));
                } catch (RocksDBException e) {
                    throw translate(dir, e);
                }
            }
        };
    }

    /**
     * Removes the result-index entries whose output {@code present} no longer finds (a staged file
     * pruned or deleted): they could never be reused again. Returns how many went.
     */
    public long forgetResults(Predicate<Sha256> present) throws IOException {
        long gone = forget(results, (key, value) -> !present.test(RecordCodec.decodeResult(value).outputHash()));
        forget(used, (key, value) -> key.length != Sha256.LENGTH || !present.test(Sha256.of(key)));
        return gone;
    }

    /** Removes the known hashes of files {@code exists} no longer finds (a store path collected). Returns how many went. */
    public long forgetKnownHashes(Predicate<Path> exists) throws IOException {
        return forget(hashes, (key, value) -> !exists.test(RecordCodec.decodeKnownHashKey(key)));
    }

    /** What {@link #forget} removes: tested with an entry's key and value. */
    @FunctionalInterface
    private interface Stale {
        boolean test(byte[] key, byte[] value) throws IOException;
    }

    /** Deletes the entries of {@code family} that are {@code stale}, in one batch; how many. */
    private long forget(ColumnFamilyHandle family, Stale stale) throws IOException {
        List<byte[]> gone = new ArrayList<>();
        try (RocksIterator it = db.newIterator(family)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (stale.test(it.key(), it.value())) {
                    gone.add(it.key());
                }
            }
            it.status();
            if (!gone.isEmpty()) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (byte[] key : gone) {
                        batch.delete(family, key);
                    }
                    db.write(cacheWrite, batch);
                }
            }
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
        return gone.size();
    }

    /** Records that the job ran to its end and its output is committed. */
    public void markFinished() throws IOException {
        try {
            db.put(meta, syncedWrite, FINISHED_KEY, new byte[] {1});
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    /** Where the job stands: counts per state, the first {@code failureLimit} failures. */
    public JobStatus status(int failureLimit) throws IOException {
        return status(dir, db, meta, files, results, failureLimit);
    }

    private static JobStatus status(Path dir, RocksDB db, ColumnFamilyHandle meta, ColumnFamilyHandle files,
                                    ColumnFamilyHandle results, int failureLimit) throws IOException {
        try {
            byte[] jobBytes = db.get(meta, JOB_KEY);
            Optional<JobRecord> job = jobBytes == null ? Optional.empty() : Optional.of(RecordCodec.decodeJob(jobBytes));
            boolean finished = db.get(meta, FINISHED_KEY) != null;
            Map<FileState.Kind, Long> counts = new EnumMap<>(FileState.Kind.class);
            List<FileRecord> failures = new ArrayList<>();
            try (RocksIterator it = db.newIterator(files)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    FileRecord record = RecordCodec.decodeFile(it.key(), it.value());
                    counts.merge(record.state().kind(), 1L, Long::sum);
                    if (record.state() instanceof FileState.Failed && failures.size() < failureLimit) {
                        failures.add(record);
                    }
                }
                it.status();
            }
            long reusable = 0;
            try (RocksIterator it = db.newIterator(results)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    reusable++;
                }
                it.status();
            }
            return new JobStatus(job, finished, counts, failures, reusable);
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    /** How many times this store forced its log (not counting synced writes of single records). */
    long syncCount() {
        return syncs.get();
    }

    /** Forces the write-ahead log to disk: every record written so far survives a power cut. */
    public void sync() throws IOException {
        try {
            db.syncWal();
            lastSyncNanos.set(System.nanoTime());
            syncs.incrementAndGet();
        } catch (RocksDBException e) {
            throw translate(dir, e);
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        try {
            sync();
        } catch (IOException e) {
            failure = e;
        }
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        recordWrite.close();
        syncedWrite.close();
        cacheWrite.close();
        cfOptions.close();
        dbOptions.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException translate(Path dir, RocksDBException e) {
        String status = e.getMessage() == null ? String.valueOf(e.getStatus()) : e.getMessage();
        if (status.contains("lock") && (status.contains("Resource temporarily unavailable") || status.contains("hold"))) {
            return new StateDirectoryBusyException(dir, e);
        }
        return new IOException(dir + ": checkpoint database: " + status, e);
    }
}
