// HTTP GETs through libcurl's multi interface: many requests in parallel with bounded
// concurrency, every answer checked and bounded. A range request succeeds only with exactly the
// bytes asked for: a 206 whose Content-Range is another range fails; a 200 that ignores the Range
// header is read only up to the bytes needed and the transfer stopped; a body shorter than
// promised fails. Headers, bodies, redirects, retries and time are capped (HttpLimits).
// Redirects are followed here, not by libcurl, so that the bearer token goes only to the one
// origin it is for and never to the host a redirect leads to. TLS certificates are verified
// (libcurl's default, never turned off) and proxies come from the usual environment variables
// (http_proxy, https_proxy, no_proxy: libcurl reads them).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medq {

struct HttpLimits {
  unsigned max_parallel = 16;            ///< transfers under way at once
  unsigned max_redirects = 10;           ///< per request
  unsigned max_retries = 3;              ///< on 429, 5xx and dropped connections, per request
  uint64_t max_header_bytes = 64 << 10;  ///< one response's headers
  uint64_t max_error_body = 64 << 10;    ///< kept of a non-2xx answer's body
  /// A 200 that ignores Range is read up to the bytes needed only when they start within this.
  uint64_t max_skip_bytes = 16 << 20;
  long connect_timeout_ms = 10'000;
  long timeout_ms = 60'000;     ///< one request, start to end
  long low_speed_bytes = 1024;  ///< a transfer slower than this ...
  long low_speed_seconds = 10;  ///< ... for this long is stopped
  long backoff_ms = 200;        ///< first retry delay, doubled each time
  long max_backoff_ms = 5'000;  ///< and at most this (Retry-After included)
};

struct HttpRequest {
  std::string url;
  /// Bytes [offset, offset + length) of the resource; length > 0. Unset: the whole body.
  std::optional<std::pair<uint64_t, uint64_t>> range;
  /// With a range: the resource's size as listed; a 206 whose Content-Range gives another
  /// complete length fails (the file is not the one listed).
  std::optional<uint64_t> resource_size;
  uint64_t max_body = 1 << 20;  ///< without a range: a longer body fails
};

struct HttpResponse {
  long status = 0;    ///< the last answer's status; 0 when none came
  std::string body;   ///< a 2xx: exactly what was asked for; else the start of the body
  std::string error;  ///< empty on success; else why, in words
  std::string url;    ///< the last URL requested (after redirects)
  unsigned redirects = 0;
  unsigned retries = 0;
  /// The last answer's headers, names lower-cased, in order.
  std::vector<std::pair<std::string, std::string>> headers;

  bool ok() const { return error.empty(); }
  /// The first header named `lower_name`, if any.
  const std::string* header(std::string_view lower_name) const;
};

/// What a client has sent and received so far.
struct HttpStats {
  uint64_t requests = 0;   ///< HTTP requests sent: every redirect hop and retry counts
  uint64_t redirects = 0;  ///< answers that were redirects
  uint64_t retries = 0;    ///< requests sent again after 429, 5xx or a dropped connection
  uint64_t bytes = 0;      ///< body bytes received, those discarded included
};

class HttpClient {
 public:
  /// `auth_origin` ("https://huggingface.co:443", as url_origin gives it) is the only origin
  /// that receives "Authorization: Bearer <token>"; an empty token sends none.
  HttpClient(std::string auth_origin, std::string token, HttpLimits limits);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Performs every request, at most limits.max_parallel at a time; answers in request order.
  /// Safe to call from several threads at once.
  std::vector<HttpResponse> fetch_all(const std::vector<HttpRequest>& requests) const;
  HttpResponse fetch(const HttpRequest& request) const;

  HttpStats stats() const;
  const HttpLimits& limits() const { return limits_; }

 private:
  struct Shared;
  std::string auth_origin_;
  std::string token_;
  HttpLimits limits_;
  std::unique_ptr<Shared> shared_;
};

/// "scheme://host:port" of an absolute http(s) URL (lower-cased, the default port spelled out),
/// or nullopt when `url` is not one.
std::optional<std::string> url_origin(const std::string& url);

}  // namespace medq
