// accuracy-family: stranded-producer
// accuracy-origin: ad-freiburg/qlever src/util/ThreadSafeQueue.h at 001711fa (two one-sided closes: signalLastElementWasPushed() wakes only poppers, disablePush() only pushers) and issue #3092 (the index builder fails its first write while the parser pushes)
// accuracy-shape: queue=cv-hand-written close=pushers-only close-caller=consumer fix=consumer-disables-push spawner=std::thread producer=member-function consumer=calling-thread-helper exit=return wait=join
//
// The fix: the failing index builder calls disablePush(), the close that
// wakes the pushers; the parser's push() returns false and it returns.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

template <typename T> class ParseQueue {
public:
  explicit ParseQueue(std::size_t maxSize) : maxSize_(maxSize) {}
  // Make sure poppers never wait on a queue that is going away.
  ~ParseQueue() { disablePush(); }

  // Blocks while the queue is full. Returns false once disablePush() was
  // called; the element is then dropped.
  bool push(T value) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (elements_.size() >= maxSize_ && !pushDisabled_)
      roomAvailable_.wait(lock);
    if (pushDisabled_)
      return false;
    elements_.push_back(std::move(value));
    lock.unlock();
    elementAvailable_.notify_one();
    return true;
  }

  // The producers are done: poppers drain what is left, then get nullopt.
  void signalLastElementWasPushed() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lastElementPushed_ = true;
    }
    elementAvailable_.notify_all();
  }

  // The consumer gave up: wake every pusher, refuse further elements.
  void disablePush() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pushDisabled_ = true;
    }
    roomAvailable_.notify_all();
  }

  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (elements_.empty() && !lastElementPushed_)
      elementAvailable_.wait(lock);
    if (elements_.empty())
      return std::nullopt;
    std::optional<T> result(std::move(elements_.front()));
    elements_.pop_front();
    lock.unlock();
    roomAvailable_.notify_one();
    return result;
  }

private:
  std::mutex mutex_;
  std::condition_variable elementAvailable_; // waited on by pop()
  std::condition_variable roomAvailable_;    // waited on by push()
  std::deque<T> elements_;
  std::size_t maxSize_;
  bool lastElementPushed_ = false;
  bool pushDisabled_ = false;
};

struct Triple {
  long subject, predicate, object;
};
using TripleBatch = std::vector<Triple>;

class TurtleParser {
public:
  explicit TurtleParser(long lines) : lines_(lines) {}

  // Runs on the parser thread.
  void parseInto(ParseQueue<TripleBatch> &out) {
    TripleBatch batch;
    for (long line = 0; line < lines_; ++line) {
      batch.push_back({line, line % 7, 3 * line});
      if (batch.size() == kBatchSize) {
        if (!out.push(std::move(batch)))
          return; // the builder disabled pushing: nobody reads any more
        batch = TripleBatch();
      }
    }
    if (!batch.empty())
      out.push(std::move(batch));
    out.signalLastElementWasPushed();
  }

private:
  static constexpr std::size_t kBatchSize = 16;
  long lines_;
};

// The permutation file the index is written to; the disk is full.
struct IndexFile {
  bool append(const TripleBatch &) { return false; }
};

// The index builder: the consumer, on the calling thread.
static bool writePermutation(ParseQueue<TripleBatch> &batches,
                             IndexFile &file) {
  while (auto batch = batches.pop()) {
    if (!file.append(*batch)) {
      std::printf("error: writing the permutation failed: disk full\n");
      batches.disablePush(); // wake the parser blocked in push()
      return false;
    }
  }
  return true;
}

static bool buildIndex(long lines) {
  ParseQueue<TripleBatch> batches(2);
  TurtleParser parser(lines);
  std::thread parserThread(&TurtleParser::parseInto, &parser,
                           std::ref(batches));
  IndexFile file;
  bool ok = writePermutation(batches, file);
  parserThread.join();
  return ok;
}

int main() { return buildIndex(5000) ? 1 : 0; }
