// accuracy-family: stranded-consumer
// accuracy-origin: scylladb/scylladb PR #6242 (issue #6241): the multishard writer's producer distributes fragments to one queue per consumer and, when it fails, aborts every queue with its exception (seastar queue::abort(std::exception_ptr)); a consumer's pop then fails with that exception
// accuracy-shape: queue=cv-hand-written close=abort-with-exception pop-closed=rethrow spawner=std::async producer=calling-thread-helper consumer=lambda exit=throw wait=future
//
// A distributor splits a stream of fragments by shard into one bounded queue
// per shard writer. Reading the stream fails midway; the distributor stores
// the exception in every queue (abort) and rethrows it. Each writer's
// dequeue() rethrows the stored error, so the writers end with the
// producer's error instead of waiting for fragments. Correct.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

template <typename T> class ShardQueue {
public:
  explicit ShardQueue(std::size_t max_size) : _max_size(max_size) {}

  void enqueue(T item) {
    std::unique_lock<std::mutex> lk(_mu);
    _not_full.wait(lk, [&] { return _ex || _items.size() < _max_size; });
    if (_ex)
      std::rethrow_exception(_ex);
    _items.push_back(std::move(item));
    _not_empty.notify_one();
  }

  // An empty optional is the end of the stream; a stored error is rethrown.
  std::optional<T> dequeue() {
    std::unique_lock<std::mutex> lk(_mu);
    _not_empty.wait(lk, [&] { return _ex || _eos || !_items.empty(); });
    if (_ex)
      std::rethrow_exception(_ex);
    if (_items.empty())
      return std::nullopt;
    T item = std::move(_items.front());
    _items.pop_front();
    _not_full.notify_one();
    return item;
  }

  void push_end_of_stream() {
    std::lock_guard<std::mutex> lk(_mu);
    _eos = true;
    _not_empty.notify_all();
  }

  void abort(std::exception_ptr ex) {
    std::lock_guard<std::mutex> lk(_mu);
    _ex = std::move(ex);
    _not_empty.notify_all();
    _not_full.notify_all();
  }

private:
  std::mutex _mu;
  std::condition_variable _not_full, _not_empty;
  std::deque<T> _items;
  std::size_t _max_size;
  bool _eos = false;
  std::exception_ptr _ex;
};

struct Fragment {
  long token;
};

// The source stream: fails on its 30th fragment (the peer went away).
static Fragment readFragment(long i) {
  if (i == 30)
    throw std::runtime_error("rpc stream closed by peer");
  return Fragment{i * 7919};
}

static void distribute(std::vector<std::unique_ptr<ShardQueue<Fragment>>> &shards,
                       long fragments) {
  try {
    for (long i = 0; i < fragments; ++i) {
      Fragment f = readFragment(i);
      shards[f.token % shards.size()]->enqueue(f);
    }
    for (auto &q : shards)
      q->push_end_of_stream();
  } catch (...) {
    for (auto &q : shards)
      q->abort(std::current_exception());
    throw;
  }
}

int main() {
  const std::size_t nshards = 3;
  std::vector<std::unique_ptr<ShardQueue<Fragment>>> shards;
  for (std::size_t s = 0; s < nshards; ++s)
    shards.push_back(std::make_unique<ShardQueue<Fragment>>(4));

  std::vector<std::future<long>> writers;
  for (std::size_t s = 0; s < nshards; ++s)
    writers.push_back(std::async(std::launch::async, [&q = *shards[s]] {
      long written = 0;
      while (auto f = q.dequeue())
        ++written;
      return written;
    }));

  try {
    distribute(shards, 1000);
  } catch (const std::exception &e) {
    std::printf("distributor failed: %s\n", e.what());
  }
  for (std::size_t s = 0; s < nshards; ++s) {
    try {
      writers[s].get();
      std::printf("shard %zu: done\n", s);
    } catch (const std::exception &e) {
      std::printf("shard %zu: aborted: %s\n", s, e.what());
    }
  }
  return 0;
}
