#include "medq/remote/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>

#include "medq/remote/http_headers.hpp"

#ifndef MEDQ_VERSION
#define MEDQ_VERSION "0"
#endif

namespace medq {

const std::string* HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

namespace {

using Clock = std::chrono::steady_clock;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool retry_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool retry_code(CURLcode c) {
  return c == CURLE_GOT_NOTHING || c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR;
}

// One request through its redirects and retries; one attempt at a time is under way.
struct Transfer {
  size_t index = 0;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  std::string url;
  std::set<std::string> seen;  // URLs requested, to name a redirect loop
  Clock::time_point not_before{};
  unsigned attempt_retries = 0;

  // The attempt under way.
  CURL* easy = nullptr;
  curl_slist* headers_list = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};
  const HttpLimits* limits = nullptr;
  std::atomic<uint64_t>* bytes_counter = nullptr;
  std::vector<std::pair<std::string, std::string>> headers;
  uint64_t header_bytes = 0;
  bool header_bomb = false;
  bool mode_known = false;
  enum class Mode : uint8_t { kRange206, kRangeIgnored, kWhole, kOther } mode = Mode::kOther;
  std::string body;
  uint64_t received = 0;  // body bytes of this attempt
  bool done_early = false;
  std::string fail;

  void reset_attempt() {
    headers.clear();
    header_bytes = 0;
    header_bomb = false;
    mode_known = false;
    mode = Mode::kOther;
    body.clear();
    received = 0;
    done_early = false;
    fail.clear();
    errbuf[0] = '\0';
  }

  const std::string* find_header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return &v;
    }
    return nullptr;
  }

  // Decides, at the first body byte, what the answer is and how its body is read.
  void decide_mode() {
    mode_known = true;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    const auto& range = request->range;
    if (range && status == 206) {
      mode = Mode::kRange206;
      const std::string* cr = find_header("content-range");
      auto parsed = cr ? parse_content_range(*cr) : std::nullopt;
      const uint64_t want_last = range->first + range->second - 1;
      if (!parsed) {
        fail = cr ? "a 206 answer with the malformed Content-Range '" + cr->substr(0, 80) + "'"
                  : "a 206 answer without Content-Range";
      } else if (parsed->first != range->first || parsed->last != want_last) {
        fail = "a 206 answer for bytes " + std::to_string(parsed->first) + "-" +
               std::to_string(parsed->last) + " when bytes " + std::to_string(range->first) + "-" +
               std::to_string(want_last) + " were asked for";
      } else if (parsed->complete && request->resource_size &&
                 *parsed->complete != *request->resource_size) {
        fail = "the server's file is " + std::to_string(*parsed->complete) +
               " bytes, the listing's " + std::to_string(*request->resource_size);
      }
    } else if (range && status == 200) {
      mode = Mode::kRangeIgnored;
      if (range->first > limits->max_skip_bytes) {
        fail =
            "the server ignored the Range header (200 instead of 206), and the bytes asked "
            "for start " +
            std::to_string(range->first) + " bytes into the file: not read";
      }
    } else if (!range && status >= 200 && status < 300) {
      mode = Mode::kWhole;
    } else {
      mode = Mode::kOther;
    }
  }

  // Returns false to stop the transfer.
  bool on_body(const char* data, size_t n) {
    bytes_counter->fetch_add(n, std::memory_order_relaxed);
    if (!mode_known) decide_mode();
    if (!fail.empty()) return false;
    const uint64_t before = received;
    received += n;
    switch (mode) {
      case Mode::kRange206: {
        const uint64_t want = request->range->second;
        if (received > want) {
          fail = "a 206 answer longer than the " + std::to_string(want) + " bytes asked for";
          return false;
        }
        body.append(data, n);
        return true;
      }
      case Mode::kRangeIgnored: {
        // Keep [offset, offset + length) of the whole body, then stop.
        const uint64_t lo = request->range->first;
        const uint64_t hi = lo + request->range->second;
        const uint64_t from = std::max(before, lo);
        const uint64_t to = std::min(received, hi);
        if (from < to) body.append(data + (from - before), static_cast<size_t>(to - from));
        if (received >= hi) {
          done_early = true;
          return false;
        }
        return true;
      }
      case Mode::kWhole:
        if (received > request->max_body) {
          fail =
              "an answer longer than the " + std::to_string(request->max_body) + " bytes allowed";
          return false;
        }
        body.append(data, n);
        return true;
      case Mode::kOther:
        // A redirect's or an error's body: the start is kept for the message, the rest not read.
        if (before < limits->max_error_body) {
          body.append(data,
                      static_cast<size_t>(std::min<uint64_t>(n, limits->max_error_body - before)));
        }
        if (received >= limits->max_error_body) {
          done_early = true;
          return false;
        }
        return true;
    }
    return false;
  }

  bool on_header(const char* data, size_t n) {
    header_bytes += n;
    if (header_bytes > limits->max_header_bytes) {
      header_bomb = true;
      return false;
    }
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.substr(0, 5) == "HTTP/") {  // a new response (after 100 Continue, say)
      headers.clear();
      return true;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return true;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    headers.emplace_back(lower(std::string(line.substr(0, colon))), std::string(value));
    return true;
  }
};

size_t write_cb(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  return t->on_body(data, n) ? n : 0;
}

size_t header_cb(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  return t->on_header(data, n) ? n : 0;
}

std::string status_text(long status) {
  switch (status) {
    case 400:
      return "400 Bad Request";
    case 401:
      return "401 Unauthorized";
    case 403:
      return "403 Forbidden";
    case 404:
      return "404 Not Found";
    case 416:
      return "416 Range Not Satisfiable";
    case 429:
      return "429 Too Many Requests";
    case 500:
      return "500 Internal Server Error";
    case 502:
      return "502 Bad Gateway";
    case 503:
      return "503 Service Unavailable";
    case 504:
      return "504 Gateway Timeout";
    default:
      return std::to_string(status);
  }
}

}  // namespace

std::optional<std::string> url_origin(const std::string& url) {
  global_init();
  CURLU* u = curl_url();
  if (!u) return std::nullopt;
  std::optional<std::string> out;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char *scheme = nullptr, *host = nullptr, *port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      std::string s = lower(scheme);
      if (s == "http" || s == "https") out = s + "://" + lower(host) + ":" + port;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return out;
}

struct HttpClient::Shared {
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  std::atomic<uint64_t> requests{0}, redirects{0}, retries{0}, bytes{0};

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Shared*>(user)->locks[data].unlock();
  }
};

HttpClient::HttpClient(std::string auth_origin, std::string token, HttpLimits limits)
    : auth_origin_(std::move(auth_origin)),
      token_(std::move(token)),
      limits_(limits),
      shared_(std::make_unique<Shared>()) {
  global_init();
  if (limits_.max_parallel == 0) limits_.max_parallel = 1;
  shared_->share = curl_share_init();
  if (shared_->share) {
    curl_share_setopt(shared_->share, CURLSHOPT_LOCKFUNC, &Shared::lock);
    curl_share_setopt(shared_->share, CURLSHOPT_UNLOCKFUNC, &Shared::unlock);
    curl_share_setopt(shared_->share, CURLSHOPT_USERDATA, shared_.get());
    curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
}

HttpClient::~HttpClient() {
  if (shared_->share) curl_share_cleanup(shared_->share);
}

HttpStats HttpClient::stats() const {
  return {shared_->requests.load(), shared_->redirects.load(), shared_->retries.load(),
          shared_->bytes.load()};
}

HttpResponse HttpClient::fetch(const HttpRequest& request) const {
  return std::move(fetch_all({request}).front());
}

std::vector<HttpResponse> HttpClient::fetch_all(const std::vector<HttpRequest>& requests) const {
  std::vector<HttpResponse> responses(requests.size());
  if (requests.empty()) return responses;
  std::vector<Transfer> transfers(requests.size());
  std::deque<Transfer*> pending;
  for (size_t i = 0; i < requests.size(); ++i) {
    Transfer& t = transfers[i];
    t.index = i;
    t.request = &requests[i];
    t.response = &responses[i];
    t.url = requests[i].url;
    t.limits = &limits_;
    t.bytes_counter = &shared_->bytes;
    t.seen.insert(t.url);
    pending.push_back(&t);
  }
  CURLM* multi = curl_multi_init();
  if (!multi) {
    for (auto& r : responses) r.error = "libcurl could not start (curl_multi_init failed)";
    return responses;
  }
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(limits_.max_parallel));
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  const std::string user_agent = std::string("medq/") + MEDQ_VERSION;
  const std::string auth_header = "Authorization: Bearer " + token_;
  unsigned active = 0;

  auto start = [&](Transfer& t) -> bool {
    t.reset_attempt();
    t.easy = curl_easy_init();
    if (!t.easy) return false;
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, t.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over TLS, wait for the first connection's ALPN so that the transfers share one HTTP/2
    // connection; plain http is HTTP/1.1 here (2TLS), where waiting would cost a whole answer.
    if (t.url.rfind("https:", 0) == 0) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, limits_.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, limits_.timeout_ms);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, limits_.low_speed_bytes);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, limits_.low_speed_seconds);
    curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    if (shared_->share) curl_easy_setopt(e, CURLOPT_SHARE, shared_->share);
    std::string range;
    if (t.request->range) {
      range = std::to_string(t.request->range->first) + "-" +
              std::to_string(t.request->range->first + t.request->range->second - 1);
      curl_easy_setopt(e, CURLOPT_RANGE, range.c_str());  // libcurl copies the string
    }
    // The token goes to the endpoint's origin only: never to the host a redirect leads to.
    if (!token_.empty() && url_origin(t.url) == auth_origin_) {
      t.headers_list = curl_slist_append(nullptr, auth_header.c_str());
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers_list);
    }
    shared_->requests.fetch_add(1, std::memory_order_relaxed);
    if (curl_multi_add_handle(multi, e) != CURLM_OK) return false;
    ++active;
    return true;
  };

  auto finish_attempt = [&](Transfer& t) {
    curl_multi_remove_handle(multi, t.easy);
    curl_easy_cleanup(t.easy);
    t.easy = nullptr;
    curl_slist_free_all(t.headers_list);
    t.headers_list = nullptr;
    --active;
  };

  auto schedule_retry = [&](Transfer& t, const std::string* retry_after) -> bool {
    if (t.attempt_retries >= limits_.max_retries) return false;
    ++t.attempt_retries;
    ++t.response->retries;
    shared_->retries.fetch_add(1, std::memory_order_relaxed);
    long delay = limits_.backoff_ms << std::min<unsigned>(t.attempt_retries - 1, 16);
    if (retry_after) {
      if (auto s = parse_retry_after_seconds(*retry_after)) {
        delay = static_cast<long>(std::min<uint64_t>(*s, 3600) * 1000);
      }
    }
    delay = std::min(delay, limits_.max_backoff_ms);
    t.not_before = Clock::now() + std::chrono::milliseconds(delay);
    pending.push_back(&t);
    return true;
  };

  // Handles the end of an attempt: done, or a redirect or retry queued.
  auto complete = [&](Transfer& t, CURLcode code) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    char* location = nullptr;
    curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &location);
    const std::string next = location ? location : "";
    HttpResponse& r = *t.response;
    r.status = status;
    r.url = t.url;
    r.headers = std::move(t.headers);
    const std::string errbuf = t.errbuf;
    finish_attempt(t);
    if (t.header_bomb) {
      r.error = "the server sent more than " + std::to_string(limits_.max_header_bytes) +
                " bytes of headers";
      return;
    }
    if (!t.fail.empty()) {
      r.error = t.fail;
      return;
    }
    if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && t.done_early)) {
      if (retry_code(code) && schedule_retry(t, nullptr)) return;
      std::string why = errbuf.empty() ? curl_easy_strerror(code) : errbuf;
      if (code == CURLE_OPERATION_TIMEDOUT) why += " (a limit on time or on a slow transfer)";
      if (code == CURLE_PARTIAL_FILE)
        why = "the body ended before its promised length (" + why + ")";
      r.error = why;
      return;
    }
    if (is_redirect(status)) {
      ++r.redirects;
      shared_->redirects.fetch_add(1, std::memory_order_relaxed);
      if (next.empty()) {
        r.error = "a redirect (" + std::to_string(status) + ") without a Location";
        return;
      }
      if (r.redirects > limits_.max_redirects) {
        r.error = "more than " + std::to_string(limits_.max_redirects) + " redirects";
        return;
      }
      if (!t.seen.insert(next).second) {
        r.error = "a redirect loop (back to a URL already requested)";
        return;
      }
      const auto from = url_origin(t.url), to = url_origin(next);
      if (!to) {
        r.error = "a redirect to something other than an http(s) URL";
        return;
      }
      if (from && from->rfind("https:", 0) == 0 && to->rfind("http:", 0) == 0) {
        r.error = "a redirect from https to plain http (refused)";
        return;
      }
      t.url = next;
      t.attempt_retries = 0;
      t.not_before = Clock::now();
      pending.push_front(&t);
      return;
    }
    if (retry_status(status) && schedule_retry(t, r.header("retry-after"))) return;
    if (status < 200 || status >= 300) {
      r.error = "HTTP " + status_text(status);
      r.body = std::move(t.body);
      return;
    }
    if (t.request->range) {
      if (status != 206 && status != 200) {
        r.error = "HTTP " + std::to_string(status) + " to a range request";
        return;
      }
      if (t.body.size() != t.request->range->second) {
        r.error = "a short body: " + std::to_string(t.body.size()) + " of the " +
                  std::to_string(t.request->range->second) + " bytes asked for";
        return;
      }
    }
    r.body = std::move(t.body);
  };

  while (!pending.empty() || active > 0) {
    const auto now = Clock::now();
    // Start what may start, up to the concurrency bound.
    for (size_t n = pending.size(); n > 0 && active < limits_.max_parallel; --n) {
      Transfer* t = pending.front();
      pending.pop_front();
      if (t->not_before > now) {
        pending.push_back(t);
        continue;
      }
      if (!start(*t)) {
        if (t->easy) {
          curl_easy_cleanup(t->easy);
          t->easy = nullptr;
        }
        curl_slist_free_all(t->headers_list);
        t->headers_list = nullptr;
        t->response->error = "libcurl could not start a transfer";
      }
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      complete(*t, msg->data.result);
    }
    if (active == 0 && pending.empty()) break;
    int wait_ms = 100;
    if (active == 0 && !pending.empty()) {
      auto earliest = pending.front()->not_before;
      for (Transfer* t : pending) earliest = std::min(earliest, t->not_before);
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(earliest - Clock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(ms.count(), 0, 1000));
    }
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
  curl_multi_cleanup(multi);
  return responses;
}

}  // namespace medq
