#include "server/audit_trail.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "google/protobuf/util/time_util.h"
#include "pwx/v1/audit.pb.h"

namespace pwx::server {

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

std::string AuditEntryBytes(const google::protobuf::Timestamp& time,
                            const std::string& authority,
                            const std::string& user, absl::string_view action,
                            const std::string& object_id,
                            std::string content_sha256, uint64_t count,
                            const std::vector<std::string>& object_ids) {
  pwx::v1::AuditEntry entry;
  *entry.mutable_time() = time;
  entry.set_user(user);
  entry.set_action(std::string(action));
  entry.set_object_id(object_id);
  entry.set_content_sha256(std::move(content_sha256));
  entry.set_authority(authority);
  entry.set_count(count);
  for (const std::string& id : object_ids) entry.add_object_ids(id);
  return entry.SerializeAsString();
}

void AppendAuditAsync(storage::KvStore* kv, std::string entry_bytes,
                      absl::string_view action, const std::string& user,
                      const std::string& object_id, absl::Duration max_delay) {
  storage::WriteBatch batch;
  batch.AppendAudit(std::move(entry_bytes));
  batch.set_max_delay(max_delay);
  kv->WriteAsync(std::move(batch), [action = std::string(action), user,
                                    object_id](absl::Status s) {
    if (!s.ok()) {
      spdlog::error("audit: the {} entry of {} for {} was not stored: {}",
                    action, user, object_id, s.ToString());
    }
  });
}

}  // namespace pwx::server
