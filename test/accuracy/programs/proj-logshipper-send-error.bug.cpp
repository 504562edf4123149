// accuracy-family: stranded-producer
// accuracy-origin: cloudfoundry/loggregator-release issue #25 and openfaas/of-watchdog issue #165 (executor/logging.go at 9bdadb1: the forwarding loop ends on its first error and nobody tells the writers, who block once the buffer fills), re-expressed as a tail -> bounded buffer -> sender agent in C++
// accuracy-shape: queue=cv-ring-buffer-shutdown spawner=thread-base-class-virtual-run producer=calling-thread-helper-3 consumer=virtual-run exit=return wait=join
//
// A log shipping agent: the main thread tails a file and appends every line
// to a bounded buffer (put() waits for room and returns false once the
// buffer is shut down); a Shipper thread -- a subclass of a small Thread
// base class, its work in the virtual run() -- takes lines, batches them
// and sends each batch to the collector. When a send fails, run() logs the
// error and returns, but leaves the buffer open. The collector is down, so
// the first batch fails, and the tailer blocks in put() with the buffer
// full.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

class Thread {
public:
  virtual ~Thread() = default;
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void join() {
    if (thread_.joinable())
      thread_.join();
  }

protected:
  virtual void run() = 0;

private:
  std::thread thread_;
};

template <typename T> class RingBuffer {
public:
  explicit RingBuffer(std::size_t capacity) : slots_(capacity) {}

  bool put(T value) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return shutdown_ || count_ < slots_.size(); });
    if (shutdown_)
      return false;
    slots_[(head_ + count_) % slots_.size()] = std::move(value);
    ++count_;
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> take() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return shutdown_ || count_ > 0; });
    if (count_ == 0)
      return std::nullopt;
    T value = std::move(slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --count_;
    not_full_.notify_one();
    return value;
  }

  void shutdown() {
    std::lock_guard<std::mutex> lock(mutex_);
    shutdown_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::vector<T> slots_;
  std::size_t head_ = 0, count_ = 0;
  bool shutdown_ = false;
};

struct LogLine {
  std::string source;
  std::string text;
};

// Stands in for the TCP connection to the collector, which is down.
class CollectorClient {
public:
  explicit CollectorClient(std::string endpoint) : endpoint_(std::move(endpoint)) {}
  bool send(const std::vector<LogLine> &, std::string &error) {
    error = "connect to " + endpoint_ + ": Connection refused";
    return false;
  }

private:
  std::string endpoint_;
};

class Shipper : public Thread {
public:
  Shipper(RingBuffer<LogLine> &buffer, CollectorClient &client,
          std::size_t batch_size)
      : buffer_(buffer), client_(client), batch_size_(batch_size) {}

protected:
  void run() override {
    std::vector<LogLine> batch;
    while (auto line = buffer_.take()) {
      batch.push_back(std::move(*line));
      if (batch.size() < batch_size_)
        continue;
      std::string error;
      if (!client_.send(batch, error)) {
        std::printf("shipper: send failed: %s\n", error.c_str());
        return;
      }
      batch.clear();
    }
    std::string error;
    if (!batch.empty())
      client_.send(batch, error);
  }

private:
  RingBuffer<LogLine> &buffer_;
  CollectorClient &client_;
  std::size_t batch_size_;
};

// Stands in for a log file that the application keeps appending to.
class FileTailer {
public:
  FileTailer(std::string path, int lines) : path_(std::move(path)), lines_(lines) {}

  // Follows the file to its end; false when the agent stopped taking lines.
  bool follow(RingBuffer<LogLine> &out) {
    while (next_ < lines_)
      if (!readChunk(out))
        return false;
    return true;
  }

private:
  bool readChunk(RingBuffer<LogLine> &out) {
    for (int i = 0; i < 32 && next_ < lines_; ++i, ++next_)
      if (!emit(out, "GET /api/items/" + std::to_string(next_) + " 200"))
        return false;
    return true;
  }

  bool emit(RingBuffer<LogLine> &out, std::string text) {
    return out.put(LogLine{path_, std::move(text)}); // accuracy: blocks
  }

  std::string path_;
  int lines_;
  int next_ = 0;
};

int main() {
  RingBuffer<LogLine> buffer(64);
  CollectorClient client("127.0.0.1:5044");
  Shipper shipper(buffer, client, 10);
  shipper.start();

  FileTailer tailer("/var/log/app/access.log", 5000);
  if (!tailer.follow(buffer))
    std::printf("tail: buffer closed, stopped following access.log\n");
  buffer.shutdown();
  shipper.join();
  return 0;
}
