// Building audit entries (pwx.v1.AuditEntry) and appending the ones that do
// not belong to a change's own batch: reads, denials, admin actions.
#ifndef PWX_SERVER_AUDIT_TRAIL_H_
#define PWX_SERVER_AUDIT_TRAIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "storage/kv_store.h"

namespace pwx::server {

google::protobuf::Timestamp ToProtoTime(absl::Time t);

// The serialized AuditEntry. Entries hold ids and hashes, never personal
// data, so deleting personal data never breaks the log.
std::string AuditEntryBytes(const google::protobuf::Timestamp& time,
                            const std::string& authority,
                            const std::string& user, absl::string_view action,
                            const std::string& object_id,
                            std::string content_sha256, uint64_t count = 0,
                            const std::vector<std::string>& object_ids = {});

// The default of audit.read_entry_delay_ms.
inline constexpr absl::Duration kDefaultReadEntryDelay = absl::Milliseconds(1);

// Appends `entry_bytes` in a batch of its own without waiting for the fsync:
// it joins the next group commit, or gets one of its own after `max_delay`.
// The caller has already answered, so a failure can only be logged (ids and
// codes, no personal data). Thread-safe.
void AppendAuditAsync(storage::KvStore* kv, std::string entry_bytes,
                      absl::string_view action, const std::string& user,
                      const std::string& object_id,
                      absl::Duration max_delay = absl::ZeroDuration());

}  // namespace pwx::server

#endif  // PWX_SERVER_AUDIT_TRAIL_H_
