// accuracy-family: join-before-drain
// accuracy-origin: jonatanjacobsson/ifcpipeline PR #24 (commit b84f075: _run_in_spawn_isolation in ifctester-worker/tasks.py, Python multiprocessing) and PR #28 (e9c44da: the same pattern in five more workers), re-expressed in C++ with std::async
// accuracy-shape: queue=cv-hand-written-byte-pipe queue-api=put(message)/get(timeout) bound=pipe-buffer-bytes spawner=std::async producer=task-function consumer=calling-thread exit=none fix=drain-before-join wait=future-get
//
// A worker runs the IFC validation in an isolated child and reads its
// result from a queue. As with multiprocessing.Queue, a message is written
// into a pipe with a bounded buffer (64 KiB here): a put() of a larger
// message blocks until the reader takes bytes out. The parent waits for the
// child to finish (the future's get(), its join()) before reading the
// queue: a small report gets through, a large one leaves the child blocked
// in put() and the parent blocked in get() forever.
//
// The upstream fix: read the result queue before joining the child.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

// A message queue over a bounded byte pipe.
class pipe_queue {
public:
  explicit pipe_queue(std::size_t pipe_buffer) : buf_(pipe_buffer) {}

  void put(const std::string &message) {
    std::uint64_t len = message.size();
    write_bytes(reinterpret_cast<const char *>(&len), sizeof len);
    write_bytes(message.data(), message.size());
  }

  std::optional<std::string> get(std::chrono::seconds timeout) {
    std::uint64_t len = 0;
    if (!read_bytes(reinterpret_cast<char *>(&len), sizeof len, timeout))
      return std::nullopt;
    std::string message(len, '\0');
    if (!read_bytes(message.data(), len, timeout))
      return std::nullopt;
    return message;
  }

private:
  void write_bytes(const char *p, std::size_t n) {
    std::unique_lock<std::mutex> lk(m_);
    while (n > 0) {
      cv_.wait(lk, [&] { return used_ < buf_.size(); });
      std::size_t chunk = std::min(n, buf_.size() - used_);
      for (std::size_t i = 0; i < chunk; ++i)
        buf_[(head_ + used_ + i) % buf_.size()] = p[i];
      used_ += chunk;
      p += chunk;
      n -= chunk;
      cv_.notify_all();
    }
  }
  bool read_bytes(char *p, std::size_t n, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lk(m_);
    while (n > 0) {
      if (!cv_.wait_for(lk, timeout, [&] { return used_ > 0; }))
        return false;
      std::size_t chunk = std::min(n, used_);
      for (std::size_t i = 0; i < chunk; ++i)
        p[i] = buf_[(head_ + i) % buf_.size()];
      head_ = (head_ + chunk) % buf_.size();
      used_ -= chunk;
      p += chunk;
      n -= chunk;
      cv_.notify_all();
    }
    return true;
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::vector<char> buf_;
  std::size_t head_ = 0, used_ = 0;
};

struct validate_payload {
  int specifications;
  int failing_every;
};

// The child: validate, then send ("ok", report) back to the parent.
static void isolated_validate_worker(pipe_queue &result_queue, validate_payload payload) {
  std::string report = "ok\n";
  int failed = 0;
  for (int spec = 0; spec < payload.specifications; ++spec) {
    bool pass = spec % payload.failing_every != 0;
    failed += !pass;
    report += "{\"specification\":" + std::to_string(spec) + ",\"status\":" +
              (pass ? "true" : "false") + ",\"requirements\":\"" + std::string(200, 'r') + "\"}\n";
  }
  report.insert(3, "failed=" + std::to_string(failed) + "\n");
  result_queue.put(report);
}

static std::string run_in_spawn_isolation(validate_payload payload) {
  pipe_queue q(64 * 1024);
  auto proc = std::async(std::launch::async, isolated_validate_worker, std::ref(q), payload);
  std::optional<std::string> result = q.get(std::chrono::seconds(3600));
  proc.get();
  if (!result)
    throw std::runtime_error("ifctester child exited 0 but sent no result");
  if (result->compare(0, 3, "ok\n") != 0)
    throw std::runtime_error("ifctester isolated worker: " + *result);
  return result->substr(3, result->find('\n', 3) - 3);
}

int main() {
  // A large IDS validation: the JSON report is about 300 KiB.
  validate_payload payload{1200, 4};
  std::printf("ifctester: %s\n", run_in_spawn_isolation(payload).c_str());
  return 0;
}
