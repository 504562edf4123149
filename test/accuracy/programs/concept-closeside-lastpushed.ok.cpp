// accuracy-family: stranded-consumer
// accuracy-origin: ad-freiburg/qlever src/util/ThreadSafeQueue.h at 001711fa (push() waits for room or disablePush(); signalLastElementWasPushed() wakes only the poppers), the parser-thread/index-builder split of issue #3092
// accuracy-shape: queue=cv-hand-written close=poppers-only close-caller=producer pop-closed=empty-optional spawner=std::thread producer=member-function consumer=calling-thread exit=none wait=join
//
// The queue has two closes, and each wakes one side: signalLastElementWasPushed()
// wakes the poppers (push()'s wait does not look at its flag), disablePush()
// wakes the pushers. The parser thread ends with signalLastElementWasPushed();
// the index builder, which never leaves early, sees the empty optional and
// stops. Correct: nobody here needs the pushers woken.
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

static long buildIndex(long lines) {
  ParseQueue<TripleBatch> batches(2);
  TurtleParser parser(lines);
  std::thread parserThread(&TurtleParser::parseInto, &parser,
                           std::ref(batches));
  long triples = 0, checksum = 0;
  while (auto batch = batches.pop()) {
    for (const Triple &t : *batch)
      checksum += t.predicate;
    triples += static_cast<long>(batch->size());
  }
  parserThread.join();
  std::printf("indexed %ld triples (checksum %ld)\n", triples, checksum);
  return triples;
}

int main() { return buildIndex(5000) == 5000 ? 0 : 1; }
