// accuracy-family: stranded-producer
// accuracy-origin: ad-freiburg/qlever issue #3092 (open): the index builder's parse stage (src/index/IndexImpl.cpp buildPartialVocabularies at 8d7945d33) with the ThreadSafeQueue API of src/util/ThreadSafeQueue.h at 6841db5b9 (disablePush / signalLastElementWasPushed)
// accuracy-shape: queue=cv-hand-written(ThreadSafeQueue,disablePush-wakes-pushers,disablePush-in-own-destructor) spawner=std::jthread(vector,local) producer=lambda(per-block,many-pushes) consumer=calling-thread exit=throw(consumer-first-write) wait=destructor(jthread-vector-destroyed-before-queue)
//
// Parser threads claim input blocks and push the parsed triples, batch by
// batch, into a bounded queue that the index builder drains. The queue wakes
// blocked pushers when it is destroyed (its destructor disables pushes), and
// the threads are std::jthreads declared after it. The builder's first write
// throws; unwinding destroys the locals in reverse order: the jthreads first,
// whose destructors join parser threads that wait in push() on the full
// queue, and the queue's destructor is never reached.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ad_utility::data_structures {

template <typename T> class ThreadSafeQueue {
public:
  explicit ThreadSafeQueue(size_t maxSize) : _maxSize{maxSize} {}
  ~ThreadSafeQueue() { disablePush(); }

  // Blocks while the queue is full, until disablePush(); then returns false
  // and drops the value.
  bool push(T value) {
    std::unique_lock lock{_mutex};
    _popNotification.wait(lock, [&] { return _queue.size() < _maxSize || _pushDisabled; });
    if (_pushDisabled)
      return false;
    _queue.push(std::move(value));
    lock.unlock();
    _pushNotification.notify_one();
    return true;
  }

  // For the producers: no more elements will come.
  void signalLastElementWasPushed() {
    std::unique_lock lock{_mutex};
    _lastElementPushed = true;
    lock.unlock();
    _pushNotification.notify_all();
  }

  // For the consumer: wake every blocked pusher, accept nothing more.
  void disablePush() {
    std::unique_lock lock{_mutex};
    _pushDisabled = true;
    lock.unlock();
    _popNotification.notify_all();
  }

  // An empty optional once the last element was pushed and taken.
  std::optional<T> pop() {
    std::unique_lock lock{_mutex};
    _pushNotification.wait(lock, [&] { return !_queue.empty() || _lastElementPushed; });
    if (_lastElementPushed && _queue.empty())
      return {};
    std::optional<T> value = std::move(_queue.front());
    _queue.pop();
    lock.unlock();
    _popNotification.notify_one();
    return value;
  }

private:
  std::queue<T> _queue;
  std::mutex _mutex;
  std::condition_variable _pushNotification, _popNotification;
  bool _lastElementPushed = false;
  bool _pushDisabled = false;
  size_t _maxSize;
};

} // namespace ad_utility::data_structures

using Triple = std::string;
using TripleBatch = std::vector<Triple>;
constexpr size_t NUM_PARSER_THREADS = 3;
constexpr size_t PARSED_QUEUE_SIZE = 2;
constexpr size_t TRIPLES_PER_BATCH = 10;

struct InputBlocks {
  std::vector<std::string> blocks;
  std::atomic<size_t> next{0};
  const std::string *claim() {
    size_t i = next.fetch_add(1);
    return i < blocks.size() ? &blocks[i] : nullptr;
  }
};

class IndexBuilder {
public:
  explicit IndexBuilder(std::string onDiskBase) : onDiskBase_{std::move(onDiskBase)} {}

  void buildPartialVocabularies(InputBlocks &input) {
    ad_utility::data_structures::ThreadSafeQueue<TripleBatch> parsedQueue{PARSED_QUEUE_SIZE};
    std::atomic<size_t> activeParsers{NUM_PARSER_THREADS};
    std::vector<std::jthread> parserThreads;
    for (size_t i = 0; i < NUM_PARSER_THREADS; ++i)
      parserThreads.emplace_back([&] {
        while (const std::string *block = input.claim()) {
          if (!parseBlock(*block, parsedQueue))
            return;
        }
        if (activeParsers.fetch_sub(1) == 1)
          parsedQueue.signalLastElementWasPushed();
      });

    size_t partialVocabIdx = 0;
    while (auto batch = parsedQueue.pop())
      writePartialVocabulary(*batch, partialVocabIdx++);
  }

private:
  // False once the consumer disabled pushes.
  static bool parseBlock(const std::string &block,
                         ad_utility::data_structures::ThreadSafeQueue<TripleBatch> &queue) {
    TripleBatch batch;
    for (size_t pos = 0; pos < block.size();) {
      size_t end = block.find('\n', pos);
      batch.push_back(block.substr(pos, end - pos));
      pos = end + 1;
      if (batch.size() == TRIPLES_PER_BATCH) {
        if (!queue.push(std::move(batch))) // accuracy: blocks
          return false;
        batch.clear();
      }
    }
    return batch.empty() || queue.push(std::move(batch));
  }

  void writePartialVocabulary(const TripleBatch &, size_t idx) {
    // The index directory is not writable (a bind mount with another uid).
    throw std::runtime_error("Could not open file \"" + onDiskBase_ + ".partial-vocabulary." +
                             std::to_string(idx) + "\" for writing: Permission denied");
  }

  std::string onDiskBase_;
};

int main() {
  InputBlocks input;
  for (int b = 0; b < 24; ++b) {
    std::string block;
    for (int t = 0; t < 60; ++t)
      block += "<q" + std::to_string(b) + "_" + std::to_string(t) + "> <p> <o> .\n";
    input.blocks.push_back(block);
  }
  IndexBuilder builder{"olympics"};
  try {
    builder.buildPartialVocabularies(input);
  } catch (const std::exception &e) {
    std::printf("ERROR: Creating the index for QLever failed with the following exception: %s\n",
                e.what());
  }
  return 0;
}
