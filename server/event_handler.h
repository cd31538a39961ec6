// The seam between the federation transport and the payloads it carries.
// The transport authenticates, orders, deduplicates and receipts envelopes;
// each payload kind (a case share, later requests and plans) registers one
// EventHandler that validates its events against the authenticated sender
// and adds their writes to the transport's batch.
#ifndef PWX_SERVER_EVENT_HANDLER_H_
#define PWX_SERVER_EVENT_HANDLER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "pwx/v1/federation.pb.h"
#include "storage/write_batch.h"

namespace pwx::server {

// One payload kind. Implementations are thread-safe: the inbox calls Apply
// from any thread, and the outbox calls Objects from its dispatchers.
class EventHandler {
 public:
  virtual ~EventHandler() = default;

  // The Event.payload case this handler applies.
  virtual pwx::v1::Event::PayloadCase payload() const = 0;

  // The ids of the objects `event` is about (a case id, a request id), for
  // the audit entries of its envelope. Pure.
  virtual std::vector<std::string> Objects(
      const pwx::v1::Event& event) const = 0;

  // Validates `event`, received from the peer `sender` (the authority its
  // certificate names), exactly as strictly as the same change made
  // locally, and adds its writes to `batch`, which commits with the
  // envelope's receipt or not at all. Must not write anywhere else. Errors
  // refuse the whole delivery and store nothing: INVALID_ARGUMENT naming
  // the field, PERMISSION_DENIED when the sender may not make the change.
  // An event that is already superseded (an older version of what is
  // stored) is not an error: it adds nothing and returns OK.
  virtual absl::Status Apply(const pwx::v1::Event& event,
                             const std::string& sender,
                             storage::WriteBatch* batch) const = 0;

  // Called once the batch Apply added to has committed, so that the
  // handler can wake what its writes queued (e.g. a dispatcher for an
  // event it answered with). Default: nothing.
  virtual void AfterCommit(const pwx::v1::Event& event,
                           const std::string& sender) const {
    (void)event;
    (void)sender;
  }
};

// The handlers of a node by payload case. Filled before the node starts
// serving, read-only afterwards (so thread-safe to read).
class EventHandlers {
 public:
  EventHandlers() = default;
  EventHandlers(const EventHandlers&) = delete;
  EventHandlers& operator=(const EventHandlers&) = delete;

  // Registers `handler` (not owned; it must outlive this) for its payload.
  void Add(const EventHandler* handler) {
    handlers_[handler->payload()] = handler;
  }
  // The handler of `event`'s payload, or nullptr when none is registered.
  const EventHandler* Find(const pwx::v1::Event& event) const {
    auto it = handlers_.find(event.payload_case());
    return it == handlers_.end() ? nullptr : it->second;
  }
  // The objects of `event`, or none when no handler knows it.
  std::vector<std::string> Objects(const pwx::v1::Event& event) const {
    const EventHandler* handler = Find(event);
    return handler == nullptr ? std::vector<std::string>{}
                              : handler->Objects(event);
  }

 private:
  std::map<pwx::v1::Event::PayloadCase, const EventHandler*> handlers_;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_EVENT_HANDLER_H_
