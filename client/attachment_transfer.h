// The client halves of attachment uploads and downloads, shared by
// CaseClient and RequestClient: an upload streams a header, then the
// content in chunks; a download hands the metadata, then each chunk, to a
// sink.
#ifndef PWX_CLIENT_ATTACHMENT_TRANSFER_H_
#define PWX_CLIENT_ATTACHMENT_TRANSFER_H_

#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/unary_call.h"
#include "grpcpp/grpcpp.h"

namespace pwx::client {

// Size of each chunk an upload sends.
inline constexpr size_t kUploadChunkBytes = size_t{64} * 1024;

// Receives a download: `on_meta` once with the first message's metadata,
// then `on_chunk` for each piece of content in order. A non-OK status from
// either cancels the download and is returned by the download.
template <typename Meta>
struct DownloadSinkOf {
  std::function<absl::Status(const Meta&)> on_meta;
  std::function<absl::Status(std::string_view)> on_chunk;
};

// Writes `header` (named `file_name` in errors), then `content` in
// kUploadChunkBytes chunks, as `Message`s (a oneof of header and chunk) to
// `writer`, and finishes the call. A read error on `content` cancels the
// upload and returns DATA_LOSS.
template <typename Message, typename Header>
absl::Status StreamUpload(grpc::ClientContext* context,
                          grpc::ClientWriter<Message>* writer,
                          const Header& header, const std::string& file_name,
                          std::istream& content) {
  Message message;
  *message.mutable_header() = header;
  bool stream_open = writer->Write(message);
  std::vector<char> buffer(kUploadChunkBytes);
  while (stream_open && content) {
    content.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = content.gcount();
    if (n <= 0) break;
    message.set_chunk(buffer.data(), static_cast<size_t>(n));
    stream_open = writer->Write(message);
  }
  if (content.bad()) {
    context->TryCancel();
    writer->Finish();
    return absl::DataLossError(
        absl::StrCat("reading ", file_name, " failed; upload cancelled"));
  }
  // When a write failed the server has ended the call; Finish() says why.
  if (stream_open) writer->WritesDone();
  return FromGrpcStatus(writer->Finish());
}

// Reads `Response`s (`meta` in the first, `chunk` bytes after) from
// `reader` into `sink`; returns the metadata. DATA_LOSS when the stream
// carries no metadata or content before it.
template <typename Response, typename Meta>
absl::StatusOr<Meta> StreamDownload(grpc::ClientContext* context,
                                    grpc::ClientReader<Response>* reader,
                                    const DownloadSinkOf<Meta>& sink) {
  Response message;
  Meta meta;
  bool have_meta = false;
  absl::Status sink_status;
  while (sink_status.ok() && reader->Read(&message)) {
    if (!have_meta) {
      if (!message.has_meta()) {
        sink_status = absl::DataLossError(
            "server sent attachment content before its metadata");
        break;
      }
      meta = message.meta();
      have_meta = true;
      sink_status = sink.on_meta(meta);
      if (!sink_status.ok()) break;
    }
    if (!message.chunk().empty()) sink_status = sink.on_chunk(message.chunk());
  }
  if (!sink_status.ok()) {
    context->TryCancel();
    reader->Finish();
    return sink_status;
  }
  absl::Status status = FromGrpcStatus(reader->Finish());
  if (!status.ok()) return status;
  if (!have_meta) {
    return absl::DataLossError("server sent no attachment metadata");
  }
  return meta;
}

}  // namespace pwx::client

#endif  // PWX_CLIENT_ATTACHMENT_TRANSFER_H_
