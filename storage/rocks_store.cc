#include "storage/rocks_store.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/status.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"
#include "storage/audit_tree.h"
#include "storage/group_commit.h"
#include "storage/key_codec.h"

namespace pwx::storage {
namespace {

namespace fs = std::filesystem;

// Creates `path` (and its parents) unless it exists; a directory made here
// is readable by its owner only (0700): it holds personal data. An existing
// one is left as it is.
absl::Status CreatePrivateDirectory(const std::string& path) {
  std::error_code ec;
  const bool created = fs::create_directories(path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot create: ", ec.message()));
  }
  if (created) {
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat(
          path, ": cannot make it private (0700): ", ec.message()));
    }
  }
  return absl::OkStatus();
}

// Keys in Column::kMeta.
constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormatValue = "pwx";
constexpr std::string_view kSchemaVersionKey = "schema_version";

// Column families that serve point lookups by exact key get bloom filters.
constexpr std::array kPointLookupColumns = {Column::kCases, Column::kBlobs,
                                            Column::kInbox};

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ToView(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

// The one place where a rocksdb::Status becomes an absl::Status. `where`
// names the database (its path) so that the message can be acted on.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view where) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(where, ": ", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(message);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(message);
    case rocksdb::Status::kNotSupported:
      return absl::UnimplementedError(message);
    case rocksdb::Status::kIOError:
      if (s.IsNoSpace()) return absl::ResourceExhaustedError(message);
      if (s.IsPathNotFound()) return absl::NotFoundError(message);
      return absl::InternalError(message);
    case rocksdb::Status::kAborted:
      return absl::AbortedError(message);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(message);
    case rocksdb::Status::kExpired:
      return absl::DeadlineExceededError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status NotPwx(absl::string_view path, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat(path, " is not a pwx database (", why, ")"));
}

// Errors of opening an existing database: options RocksDB refuses (another
// comparator, unknown table format) mean someone else's database.
absl::Status OpenError(const rocksdb::Status& s, absl::string_view path) {
  if (s.IsInvalidArgument() || s.IsNotSupported()) {
    return NotPwx(path, s.ToString());
  }
  return FromRocks(s, path);
}

std::string EncodeSchemaVersion(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
          static_cast<char>(v >> 8), static_cast<char>(v)};
}

absl::StatusOr<uint32_t> DecodeSchemaVersion(std::string_view bytes,
                                             absl::string_view path) {
  if (bytes.size() != 4) {
    return absl::DataLossError(absl::StrCat(path, ": meta/schema_version has ",
                                            bytes.size(), " bytes, want 4"));
  }
  uint32_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

enum class DirState { kMissing, kEmpty, kRocksDb, kOther, kFile };

// What `path` holds, judged by the file RocksDB itself creates last.
absl::StatusOr<DirState> InspectDir(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) return DirState::kMissing;
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot inspect: ", ec.message()));
  }
  if (!fs::is_directory(st)) return DirState::kFile;
  if (fs::exists(fs::path(path) / "CURRENT", ec)) return DirState::kRocksDb;
  const bool empty = fs::is_empty(path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot list: ", ec.message()));
  }
  return empty ? DirState::kEmpty : DirState::kOther;
}

// An open DB and its column family handles, which must be released before
// the DB is closed.
struct OpenDb {
  OpenDb() = default;
  OpenDb(const OpenDb&) = delete;
  OpenDb& operator=(const OpenDb&) = delete;
  ~OpenDb() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();  // nobody left to tell
    delete db;
  }

  rocksdb::ColumnFamilyHandle* Find(std::string_view name) const {
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      if (h->GetName() == name) return h;
    }
    return nullptr;
  }

  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
};

bool IsPwxFamily(std::string_view name) {
  if (name == rocksdb::kDefaultColumnFamilyName) return true;
  for (int i = 0; i < kColumnCount; ++i) {
    if (ColumnName(static_cast<Column>(i)) == name) return true;
  }
  return false;
}

struct ExistingDb {
  std::vector<std::string> families;
  // True when pwx created the database but stopped before writing its meta
  // (a crash during the first Open): only pwx's column families, all empty.
  bool needs_meta = false;
  // The schema version found (kSchemaVersion for a new database).
  uint32_t version = kSchemaVersion;
};

// Checks, without changing anything, that `path` holds a pwx database this
// build can read.
absl::StatusOr<ExistingDb> InspectDb(const std::string& path) {
  ExistingDb existing;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(),
                                                      path, &existing.families);
  if (!s.ok()) return OpenError(s, path);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : existing.families) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  OpenDb probe;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors,
                                   &probe.handles, &probe.db);
  if (!s.ok()) return OpenError(s, path);

  std::optional<std::string> format;
  std::optional<std::string> version;
  if (rocksdb::ColumnFamilyHandle* meta = probe.Find(ColumnName(Column::kMeta));
      meta != nullptr) {
    for (auto [key, out] : {std::pair{kFormatKey, &format},
                            std::pair{kSchemaVersionKey, &version}}) {
      std::string value;
      s = probe.db->Get(rocksdb::ReadOptions(), meta, ToSlice(key), &value);
      if (s.ok()) {
        *out = std::move(value);
      } else if (!s.IsNotFound()) {
        return FromRocks(s, path);
      }
    }
  }

  if (format.has_value()) {
    if (*format != kFormatValue) {
      return NotPwx(path, absl::StrCat("format marker is \"", *format, "\""));
    }
    if (!version.has_value()) {
      return absl::DataLossError(
          absl::StrCat(path, ": meta/schema_version is missing"));
    }
    absl::StatusOr<uint32_t> v = DecodeSchemaVersion(*version, path);
    if (!v.ok()) return v.status();
    if (*v > kSchemaVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " was written by a newer pwx (schema ", *v,
                       "); this build reads schema ", kSchemaVersion));
    }
    // Older schemas are migrated once the database is open for writing.
    if (*v < 1) {
      return absl::DataLossError(
          absl::StrCat(path, ": meta/schema_version is ", *v));
    }
    existing.version = *v;
    return existing;
  }

  for (rocksdb::ColumnFamilyHandle* h : probe.handles) {
    if (!IsPwxFamily(h->GetName())) {
      return NotPwx(path, "a RocksDB without the pwx format marker");
    }
    std::unique_ptr<rocksdb::Iterator> it(
        probe.db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    if (it->Valid()) {
      return NotPwx(path, "a RocksDB without the pwx format marker");
    }
    if (!it->status().ok()) return FromRocks(it->status(), path);
  }
  existing.needs_meta = true;
  return existing;
}

// Column family options: one LRU block cache shared by all of them, bloom
// filters where lookups are by exact key.
struct Tuning {
  explicit Tuning(size_t block_cache_bytes) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(block_cache_bytes);
    // Index and filter blocks count against the cache, so it bounds memory.
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    scan.level_compaction_dynamic_level_bytes = true;
    scan.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

    // Audit leaf records are mostly hashes, which do not compress: storing
    // them plainly spares proofs a decompression per block read.
    audit = scan;
    audit.compression = rocksdb::kNoCompression;
    // Leaves are appended in key order (big-endian indices, first byte 0
    // below 2^56): inserting next to the previous leaf spares the memtable a
    // search from the top of its skiplist on every append.
    audit.memtable_insert_with_hint_prefix_extractor.reset(
        rocksdb::NewFixedPrefixTransform(1));

    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    point_lookup.level_compaction_dynamic_level_bytes = true;
    point_lookup.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }

  const rocksdb::ColumnFamilyOptions& For(Column column) const {
    if (column == Column::kAuditLeaves) return audit;
    return std::find(kPointLookupColumns.begin(), kPointLookupColumns.end(),
                     column) != kPointLookupColumns.end()
               ? point_lookup
               : scan;
  }

  rocksdb::ColumnFamilyOptions scan;
  rocksdb::ColumnFamilyOptions point_lookup;
  rocksdb::ColumnFamilyOptions audit;
};

// Reads a consistent view: a RocksDB iterator pins the state of the database
// when it is created (an implicit snapshot), so later writes stay invisible.
// Must not outlive its store. Not thread-safe.
class RocksIterator final : public Iterator {
 public:
  RocksIterator(std::unique_ptr<rocksdb::Iterator> it, const std::string& path)
      : it_(std::move(it)), path_(path) {}

  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  void SeekBefore(std::string_view key) override {
    if (key.empty()) {
      it_->SeekToLast();
      return;
    }
    it_->SeekForPrev(ToSlice(key));
    if (it_->Valid() && ToView(it_->key()) == key) it_->Prev();
  }
  bool Valid() const override { return it_->Valid(); }
  void Next() override {
    if (it_->Valid()) it_->Next();
  }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  absl::Status status() const override {
    return FromRocks(it_->status(), path_);
  }

 private:
  const std::unique_ptr<rocksdb::Iterator> it_;
  const std::string& path_;
};

// An iterator over nothing that reports why.
class ErrorIterator final : public Iterator {
 public:
  explicit ErrorIterator(absl::Status status) : status_(std::move(status)) {}
  void Seek(std::string_view) override {}
  void SeekBefore(std::string_view) override {}
  bool Valid() const override { return false; }
  void Next() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  absl::Status status() const override { return status_; }

 private:
  const absl::Status status_;
};

using Columns = std::array<rocksdb::ColumnFamilyHandle*, kColumnCount>;

// The committed value of (column, key) in `db`, std::nullopt when absent.
absl::StatusOr<std::optional<std::string>> ReadValue(rocksdb::DB* db,
                                                     const Columns& columns,
                                                     Column column,
                                                     std::string_view key,
                                                     absl::string_view path) {
  if (absl::Status s = CheckColumn(column); !s.ok()) return s;
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), columns[ColumnIndex(column)],
              ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, path);
  return std::string(ToView(value));
}

// Thread-safe: reads go straight to RocksDB, writes through the committer.
class RocksStoreImpl final : public RocksStore {
 public:
  // `audit_frontier` is the right edge of the audit log stored in `db`.
  RocksStoreImpl(const RocksStoreOptions& options, std::unique_ptr<OpenDb> db,
                 const Columns& columns, domain::CompactRange audit_frontier)
      : path_(options.path),
        sync_(options.sync),
        db_(std::move(db)),
        columns_(columns),
        committer_(
            options.max_group_size,
            [this](Column column, std::string_view key) {
              return Get(column, key);
            },
            [this](std::span<const WriteBatch* const> batches) {
              return Commit(batches);
            },
            std::move(audit_frontier), options.max_queued_bytes) {}

  absl::StatusOr<std::optional<std::string>> Get(
      Column column, std::string_view key) const override {
    return ReadValue(db_->db, columns_, column, key, path_);
  }

  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Column column, std::span<const std::string> keys) const override {
    if (absl::Status s = CheckColumn(column); !s.ok()) return s;
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (const std::string& key : keys) slices.push_back(ToSlice(key));
    std::vector<rocksdb::PinnableSlice> found(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->db->MultiGet(rocksdb::ReadOptions(), columns_[ColumnIndex(column)],
                      keys.size(), slices.data(), found.data(),
                      statuses.data());
    std::vector<std::optional<std::string>> values(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i], path_);
      values[i] = std::string(ToView(found[i]));
    }
    return values;
  }

  std::unique_ptr<Iterator> NewIterator(Column column) const override {
    if (absl::Status s = CheckColumn(column); !s.ok()) {
      return std::make_unique<ErrorIterator>(std::move(s));
    }
    return std::make_unique<RocksIterator>(
        std::unique_ptr<rocksdb::Iterator>(db_->db->NewIterator(
            rocksdb::ReadOptions(), columns_[ColumnIndex(column)])),
        path_);
  }

  void WriteAsyncWithAuditIndex(WriteBatch batch,
                                AuditWriteCallback done) override {
    committer_.Submit(std::move(batch), std::move(done));
  }

  absl::StatusOr<BackupInfo> Backup(const std::string& backup_dir) override;

 private:
  // Runs on the committer's thread only.
  absl::Status Commit(std::span<const WriteBatch* const> batches) {
    rocksdb::WriteBatch group;
    for (const WriteBatch* batch : batches) {
      for (const WriteBatch::Op& op : batch->ops()) {
        rocksdb::ColumnFamilyHandle* cf = columns_[ColumnIndex(op.column)];
        rocksdb::Status s =
            op.kind == WriteBatch::OpKind::kPut
                ? group.Put(cf, ToSlice(op.key), ToSlice(op.value))
                : group.Delete(cf, ToSlice(op.key));
        if (!s.ok()) return FromRocks(s, path_);
      }
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = sync_;
    return FromRocks(db_->db->Write(write_options, &group), path_);
  }

  const std::string path_;
  const bool sync_;
  const std::unique_ptr<OpenDb> db_;
  const Columns columns_;
  // Held for a whole Backup(): two BackupEngines must not share a directory.
  absl::Mutex backup_mu_;
  // Last member: destroyed first, so queued writes finish while the DB is
  // still open.
  GroupCommitter committer_;
};

absl::StatusOr<BackupInfo> RocksStoreImpl::Backup(
    const std::string& backup_dir) {
  if (backup_dir.empty()) {
    return absl::InvalidArgumentError("backup_dir: required");
  }
  std::error_code ec;
  const fs::path backup = fs::weakly_canonical(backup_dir, ec);
  const fs::path db = fs::weakly_canonical(path_, ec);
  const fs::path inside = backup.lexically_relative(db);
  if (!inside.empty() && *inside.begin() != "..") {
    return absl::InvalidArgumentError(absl::StrCat(
        "backup_dir: ", backup_dir, " is inside the database ", path_));
  }
  if (absl::Status s = CreatePrivateDirectory(backup_dir); !s.ok()) return s;

  absl::MutexLock lock(&backup_mu_);
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(
      rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, backup_dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);

  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackup(create, db_->db, &id);
  if (!s.ok()) return FromRocks(s, backup_dir);
  rocksdb::BackupInfo info;
  rocksdb::Status info_status = engine->GetBackupInfo(id, &info);
  if (!info_status.ok()) return FromRocks(info_status, backup_dir);
  return BackupInfo{.backup_id = id, .size_bytes = info.size};
}

absl::Status NoBackups(absl::string_view backup_dir, const rocksdb::Status& s) {
  return absl::NotFoundError(
      absl::StrCat("no backups in ", backup_dir,
                   s.ok() ? std::string() : absl::StrCat(": ", s.ToString())));
}

// Writes the meta of a new database.
absl::Status WriteMeta(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                       absl::string_view path) {
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.Put(meta, ToSlice(kSchemaVersionKey),
                                EncodeSchemaVersion(kSchemaVersion));
  if (s.ok()) s = batch.Put(meta, ToSlice(kFormatKey), ToSlice(kFormatValue));
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  if (s.ok()) s = db->Write(write_options, &batch);
  return FromRocks(s, path);
}

// The meta key recording how many leaf records a schema 1 -> 2 migration has
// rewritten, so that a migration cut short resumes where it stopped.
constexpr std::string_view kAuditMigratedKey = "audit_v2_migrated";
// Leaf records rewritten per synced batch.
constexpr uint64_t kMigrationChunk = 4096;

// Schema 1 -> 2: moves each audit subtree hash from its own audit_tree key
// into the record of the subtree's last leaf (audit_tree.h), in chunks that
// each commit with the progress marker, then sets schema version 2. (The
// AuditIndexer indexes the old entries by object afterwards.)
absl::Status MigrateAuditToV2(rocksdb::DB* db, const Columns& columns,
                              absl::string_view path) {
  auto read = [&](Column column, std::string_view key) {
    return ReadValue(db, columns, column, key, path);
  };
  absl::StatusOr<uint64_t> size = ReadAuditSize(read);
  if (!size.ok()) return size.status();
  absl::StatusOr<std::optional<std::string>> marker =
      read(Column::kMeta, kAuditMigratedKey);
  if (!marker.ok()) return marker.status();
  uint64_t done = 0;
  if (marker->has_value()) {
    KeyReader reader(**marker);
    absl::StatusOr<uint64_t> v = reader.Uint64();
    if (!v.ok() || !reader.done() || *v > *size) {
      return absl::DataLossError(absl::StrCat(
          path, ": meta/", std::string(kAuditMigratedKey), " is malformed"));
    }
    done = *v;
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::ColumnFamilyHandle* leaves =
      columns[ColumnIndex(Column::kAuditLeaves)];
  rocksdb::ColumnFamilyHandle* tree = columns[ColumnIndex(Column::kAuditTree)];
  rocksdb::ColumnFamilyHandle* meta = columns[ColumnIndex(Column::kMeta)];
  while (done < *size) {
    const uint64_t end = std::min(*size, done + kMigrationChunk);
    rocksdb::WriteBatch batch;
    std::vector<domain::Hash> subtrees;
    for (uint64_t i = done; i < end; ++i) {
      absl::StatusOr<std::optional<std::string>> entry =
          read(Column::kAuditLeaves, AuditLeafKey(i));
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) {
        return absl::DataLossError(
            absl::StrCat(path, ": audit log entry ", i, " is missing"));
      }
      subtrees.clear();
      for (int level = 1; level <= CompletedLevels(i); ++level) {
        const std::string key = AuditNodeKey(level, i >> level);
        absl::StatusOr<std::optional<std::string>> node =
            read(Column::kAuditTree, key);
        if (!node.ok()) return node.status();
        absl::StatusOr<domain::Hash> hash =
            node->has_value() ? domain::HashFromBytes("audit_tree", **node)
                              : absl::NotFoundError("missing");
        if (!hash.ok()) {
          return absl::DataLossError(
              absl::StrCat(path, ": audit subtree at level ", level, " index ",
                           i >> level, ": ", hash.status().message()));
        }
        subtrees.push_back(*hash);
        batch.Delete(tree, ToSlice(key));
      }
      batch.Put(leaves, ToSlice(AuditLeafKey(i)),
                ToSlice(EncodeAuditLeaf(subtrees, **entry)));
    }
    batch.Put(meta, ToSlice(kAuditMigratedKey),
              ToSlice(KeyBuilder().Uint64(end).Build()));
    if (rocksdb::Status s = db->Write(sync, &batch); !s.ok()) {
      return FromRocks(s, path);
    }
    done = end;
  }
  rocksdb::WriteBatch finish;
  rocksdb::Status s = finish.Delete(meta, ToSlice(kAuditMigratedKey));
  if (s.ok()) {
    s = finish.Put(meta, ToSlice(kSchemaVersionKey), EncodeSchemaVersion(2));
  }
  if (s.ok()) s = db->Write(sync, &finish);
  return FromRocks(s, path);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksStore>> RocksStore::Open(
    const RocksStoreOptions& options) {
  const std::string& path = options.path;
  if (path.empty()) return absl::InvalidArgumentError("path: required");
  if (options.max_group_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_group_size: must be at least 1, got ", options.max_group_size));
  }
  if (options.block_cache_bytes == 0) {
    return absl::InvalidArgumentError("block_cache_bytes: must not be 0");
  }

  absl::StatusOr<DirState> state = InspectDir(path);
  if (!state.ok()) return state.status();
  ExistingDb existing;
  bool create = false;
  switch (*state) {
    case DirState::kOther:
      return NotPwx(path, "it holds files but no RocksDB");
    case DirState::kFile:
      return NotPwx(path, "it is a file, not a directory");
    case DirState::kMissing:
    case DirState::kEmpty:
      if (!options.create_if_missing) {
        return absl::NotFoundError(
            absl::StrCat(path, " holds no pwx database"));
      }
      create = true;
      break;
    case DirState::kRocksDb: {
      absl::StatusOr<ExistingDb> inspected = InspectDb(path);
      if (!inspected.ok()) return inspected.status();
      existing = *std::move(inspected);
      break;
    }
  }
  if (create) {
    if (absl::Status s = CreatePrivateDirectory(path); !s.ok()) return s;
  }

  const Tuning tuning(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, tuning.scan);
  for (int i = 0; i < kColumnCount; ++i) {
    const Column column = static_cast<Column>(i);
    descriptors.emplace_back(std::string(ColumnName(column)),
                             tuning.For(column));
  }
  // RocksDB must open every family a database has; keep unknown ones open
  // with default options.
  for (const std::string& name : existing.families) {
    if (!IsPwxFamily(name)) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = create;
  db_options.create_missing_column_families = true;
  db_options.keep_log_file_num = 10;
  auto db = std::make_unique<OpenDb>();
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, path, descriptors, &db->handles, &db->db);
  if (s.IsIOError() && s.ToString().find("/LOCK") != std::string::npos) {
    // RocksDB has no code for it: another store holds the database's lock.
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is already open in this or another process: ", s.ToString()));
  }
  if (!s.ok()) return create ? FromRocks(s, path) : OpenError(s, path);

  Columns columns{};
  for (int i = 0; i < kColumnCount; ++i) {
    // Handles come back in the order of `descriptors`; 0 is "default".
    columns[static_cast<size_t>(i)] = db->handles[static_cast<size_t>(i) + 1];
  }
  if (create || existing.needs_meta) {
    absl::Status meta =
        WriteMeta(db->db, columns[ColumnIndex(Column::kMeta)], path);
    if (!meta.ok()) return meta;
  } else if (existing.version < 2) {
    if (absl::Status s = MigrateAuditToV2(db->db, columns, path); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<domain::CompactRange> audit_frontier = LoadAuditFrontier(
      [&db, &columns, &path](Column column, std::string_view key) {
        return ReadValue(db->db, columns, column, key, path);
      });
  if (!audit_frontier.ok()) {
    return absl::Status(
        audit_frontier.status().code(),
        absl::StrCat(path, ": ", audit_frontier.status().message()));
  }
  return std::make_unique<RocksStoreImpl>(options, std::move(db), columns,
                                          *std::move(audit_frontier));
}

absl::Status RestoreLatestBackup(const std::string& backup_dir,
                                 const std::string& db_path) {
  if (backup_dir.empty()) {
    return absl::InvalidArgumentError("backup_dir: required");
  }
  if (db_path.empty()) return absl::InvalidArgumentError("db_path: required");
  absl::StatusOr<DirState> target = InspectDir(db_path);
  if (!target.ok()) return target.status();
  if (*target == DirState::kRocksDb) {
    return absl::FailedPreconditionError(absl::StrCat(
        db_path, " already holds a database; restore into a new directory"));
  }
  if (*target == DirState::kOther || *target == DirState::kFile) {
    return absl::FailedPreconditionError(absl::StrCat(
        db_path, " is not an empty directory; restore into a new one"));
  }
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) {
    return NoBackups(backup_dir, rocksdb::Status::OK());
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (s.IsNotFound()) return NoBackups(backup_dir, s);
  if (!s.ok()) return FromRocks(s, backup_dir);
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  rocksdb::BackupInfo latest;
  if (rocksdb::Status info = engine->GetLatestBackupInfo(&latest); !info.ok()) {
    return info.IsNotFound() ? NoBackups(backup_dir, info)
                             : FromRocks(info, backup_dir);
  }

  if (absl::Status created = CreatePrivateDirectory(db_path); !created.ok()) {
    return created;
  }
  s = engine->RestoreDBFromLatestBackup(db_path, db_path);
  return FromRocks(s,
                   absl::StrCat("restore from ", backup_dir, " to ", db_path));
}

}  // namespace pwx::storage
