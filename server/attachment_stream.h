// The streaming halves of attachment uploads and downloads, shared by
// CaseService and RequestService: an upload takes a header, then chunks
// into a spool file up to a size limit (memory holds one message at a
// time), so that nothing is stored unless the whole file arrived; a
// download sends the metadata, then the content chunk by chunk, each read
// from the store only once the previous one has been sent. What differs
// (which header, which check, where the content goes or comes from) is
// given as functions.
#ifndef PWX_SERVER_ATTACHMENT_STREAM_H_
#define PWX_SERVER_ATTACHMENT_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "server/attachment_spool.h"
#include "server/rpc_util.h"
#include "storage/case_store.h"

namespace pwx::server {

// What an upload of `Header` does with the file, returning `Response`.
template <typename Header, typename Response>
struct UploadTarget {
  // Largest accepted attachment.
  uint64_t max_bytes = 0;
  // The object the call's log line names (a case or request id).
  std::function<std::string(const Header&)> object;
  // Checks the header before any byte is accepted.
  std::function<absl::Status(const Header&)> check;
  // Stores the whole, spooled file for `user`; `content` stays valid until
  // `done` is called.
  std::function<void(const Header&, const SpoolFile* content,
                     const std::string& user,
                     std::function<void(absl::StatusOr<Response>)> done)>
      store;
};

// Receives `Message`s (a oneof of `header` and `chunk` bytes). Deletes
// itself when the call ends; the spool file is removed before.
template <typename Message, typename Header, typename Response>
class UploadReactor final : public grpc::ServerReadReactor<Message> {
 public:
  // `allowed` is the caller's authorization: when it is an error the call
  // ends at once, before a byte is read.
  UploadReactor(UploadTarget<Header, Response> target,
                const AttachmentSpool* spool,
                grpc::CallbackServerContext* context, Response* response,
                const char* method, const absl::Status& allowed)
      : target_(std::move(target)),
        spool_(spool),
        context_(context),
        response_(response),
        log_(std::make_shared<CallLog>(method, CallerName(*context))) {
    if (!allowed.ok()) {
      Fail(allowed);
      return;
    }
    this->StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Complete();
      return;
    }
    if (content_ == nullptr) {
      if (!message_.has_header()) {
        Fail(absl::InvalidArgumentError(
            "header: the first message must carry the attachment header"));
        return;
      }
      header_ = message_.header();
      log_->set_object(target_.object(header_));
      if (absl::Status s = target_.check(header_); !s.ok()) {
        Fail(s);
        return;
      }
      if (header_.size_bytes() > target_.max_bytes) {
        Fail(absl::ResourceExhaustedError(absl::StrCat(
            "attachment: ", header_.size_bytes(), " bytes exceed the limit of ",
            target_.max_bytes, " bytes")));
        return;
      }
      absl::StatusOr<std::unique_ptr<SpoolFile>> file = spool_->Create();
      if (!file.ok()) {
        Fail(file.status());
        return;
      }
      content_ = *std::move(file);
    } else {
      if (message_.part_case() != Message::kChunk) {
        Fail(absl::InvalidArgumentError(
            "header: only the first message may carry a header"));
        return;
      }
      if (content_->size() + message_.chunk().size() > target_.max_bytes) {
        Fail(absl::ResourceExhaustedError(
            absl::StrCat("attachment: larger than the limit of ",
                         target_.max_bytes, " bytes")));
        return;
      }
      if (absl::Status s = content_->Append(message_.chunk()); !s.ok()) {
        Fail(s);
        return;
      }
    }
    this->StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  void Complete() {
    // A read also ends when the client goes away: store nothing then.
    if (context_->IsCancelled()) {
      Fail(absl::CancelledError("the upload was cancelled"));
      return;
    }
    if (content_ == nullptr) {
      Fail(absl::InvalidArgumentError("header: the upload was empty"));
      return;
    }
    if (header_.size_bytes() != 0 && header_.size_bytes() != content_->size()) {
      Fail(absl::InvalidArgumentError(
          absl::StrCat("header.size_bytes: announced ", header_.size_bytes(),
                       " bytes but ", content_->size(), " arrived")));
      return;
    }
    target_.store(header_, content_.get(), log_->user(),
                  [this](absl::StatusOr<Response> r) {
                    content_.reset();
                    if (r.ok()) *response_ = *std::move(r);
                    log_->Finish(r.status());
                    this->Finish(ToGrpcStatus(r.status()));
                  });
  }

  void Fail(const absl::Status& status) {
    content_.reset();
    log_->Finish(status);
    this->Finish(ToGrpcStatus(status));
  }

  const UploadTarget<Header, Response> target_;
  const AttachmentSpool* const spool_;
  grpc::CallbackServerContext* const context_;
  Response* const response_;
  std::shared_ptr<CallLog> log_;
  Message message_;
  Header header_;
  // Created once the header is accepted; removed when the call ends.
  std::unique_ptr<SpoolFile> content_;
};

// Where a download of `Meta` (with size_bytes()) comes from.
template <typename Meta>
struct DownloadSource {
  // Calls `done` with the metadata, once the download's audit entry is
  // durable (no byte goes out before), or with why not. `done` may run on
  // the store's writer thread.
  std::function<void(std::function<void(absl::StatusOr<Meta>)> done)> find;
  // Chunk `index` of the content (storage::kBlobChunkBytes each).
  std::function<absl::StatusOr<std::string>(const Meta&, uint64_t index)> chunk;
};

// Sends `Response`s (`meta` in the first, `chunk` bytes in the others).
// Deletes itself when the call ends.
template <typename Response, typename Meta>
class DownloadReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  // `allowed` as for UploadReactor.
  DownloadReactor(DownloadSource<Meta> source,
                  grpc::CallbackServerContext* context, const char* method,
                  const std::string& object, const absl::Status& allowed)
      : source_(std::move(source)), log_(method, CallerName(*context)) {
    log_.set_object(object);
    if (!allowed.ok()) {
      Done(allowed);
      return;
    }
    // The callback only starts the first write (the metadata alone); the
    // chunks are read from the store on gRPC's threads, in OnWriteDone.
    source_.find([this](absl::StatusOr<Meta> meta) {
      if (!meta.ok()) {
        Done(meta.status());
        return;
      }
      meta_ = *std::move(meta);
      chunks_ = (meta_.size_bytes() + storage::kBlobChunkBytes - 1) /
                storage::kBlobChunkBytes;
      WriteNext();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Done(absl::CancelledError("the client stopped reading"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    message_.Clear();
    if (!meta_sent_) {
      meta_sent_ = true;
      *message_.mutable_meta() = meta_;
      this->StartWrite(&message_);
      return;
    }
    if (next_ >= chunks_) {
      Done(absl::OkStatus());
      return;
    }
    absl::StatusOr<std::string> chunk = source_.chunk(meta_, next_);
    if (!chunk.ok()) {
      Done(chunk.status());
      return;
    }
    message_.set_chunk(*std::move(chunk));
    ++next_;
    this->StartWrite(&message_);
  }

  void Done(const absl::Status& status) {
    log_.Finish(status);
    this->Finish(ToGrpcStatus(status));
  }

  const DownloadSource<Meta> source_;
  CallLog log_;
  Meta meta_;
  Response message_;
  bool meta_sent_ = false;
  uint64_t chunks_ = 0;
  uint64_t next_ = 0;
};

}  // namespace pwx::server

#endif  // PWX_SERVER_ATTACHMENT_STREAM_H_
