package dev.closurewrap.checkpoint;

import dev.closurewrap.io.FileIdentity;
import dev.closurewrap.io.KnownHashes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A state directory's known input hashes for a scan that runs before the job opens (and so locks
 * and takes over) the state directory: an error in the scan, the graph or the plan then leaves
 * the directory as it was. Lookups read the database read-only; hashes remembered are held here
 * until {@link #saveTo}. Thread-safe. {@link #close} ends the lookups but keeps what was remembered.
 */
public final class KnownHashSnapshot implements KnownHashes, AutoCloseable {
    /** An open read-only database. */
    record ReadOnly(RocksDB db, List<ColumnFamilyHandle> handles, ColumnFamilyOptions cfOptions, DBOptions dbOptions) {
        void close() {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            cfOptions.close();
            dbOptions.close();
        }
    }

    private record Remembered(Path file, FileIdentity identity, String sha256) {}

    /** Null once closed; lookups only run while the scan does, before {@link #close}. */
    private volatile ReadOnly readOnly;
    private final Queue<Remembered> remembered = new ConcurrentLinkedQueue<>();

    KnownHashSnapshot(ReadOnly readOnly) {
        this.readOnly = readOnly;
    }

    /** Knows nothing; what is remembered is still kept for {@link #saveTo}. */
    public static KnownHashSnapshot none() {
        return new KnownHashSnapshot(null);
    }

    @Override
    public Optional<String> sha256(Path file, FileIdentity identity) throws IOException {
        ReadOnly open = readOnly;
        if (open == null) {
            return Optional.empty();
        }
        try {
            byte[] value = open.db().get(open.handles().get(1), RecordCodec.knownHashKey(file));
            return RecordCodec.decodeKnownHash(value, identity).map(Sha256::hex);
        } catch (RocksDBException e) {
            return Optional.empty(); // a cache: read the file
        }
    }

    @Override
    public void remember(Path file, FileIdentity identity, String sha256) {
        remembered.add(new Remembered(file, identity, sha256));
    }

    /** Writes what was remembered into the job's store. */
    public void saveTo(CheckpointStore store) throws IOException {
        KnownHashes target = store.knownHashes();
        for (Remembered r; (r = remembered.poll()) != null; ) {
            target.remember(r.file(), r.identity(), r.sha256());
        }
    }

    @Override
    public synchronized void close() {
        if (readOnly != null) {
            readOnly.close();
            readOnly = null;
        }
    }
}
