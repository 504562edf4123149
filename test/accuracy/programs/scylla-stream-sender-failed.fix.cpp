// accuracy-family: stranded-consumer
// accuracy-origin: scylladb issue #6241, PR #6242 (the STREAM_MUTATION_FRAGMENTS handler of streaming/stream_session.cc feeding mutation_writer/multishard_writer.cc, at d86958d3b2^), re-expressed with std::async
// accuracy-shape: queue=cv-hand-written queue-api=emplace/finish/fail(exception_ptr) spawner=std::async consumers=per-shard-eager producer=helper-2 consumer=lambda exit=error-code-return fix=fail-all-pipes-on-error-path wait=future-get
//
// The receiving side of a stream: the RPC handler reads the sender's
// messages and routes each partition's fragments to a per-shard pipe; one
// writer task per shard (std::async) drains its pipe into an sstable. The
// sender can report an error instead of end of stream; the distributing
// helper then returns an error status, and nobody finishes or fails the
// pipes. The handler waits for the writer tasks' futures: they never end.
//
// The upstream fix: on the producer's error path, abort every queue with
// the error, so each writer's pop rethrows it and its task ends.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

struct frozen_fragment {
  unsigned partition;
  bool starts_partition;
};

template <typename T> class fragment_pipe {
public:
  explicit fragment_pipe(std::size_t depth) : depth_(depth) {}
  void emplace(T v) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return failure_ || q_.size() < depth_; });
    if (failure_)
      std::rethrow_exception(failure_);
    q_.push_back(std::move(v));
    cv_.notify_all();
  }
  // false at end of stream; throws what fail() was given.
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return failure_ || finished_ || !q_.empty(); });
    if (failure_)
      std::rethrow_exception(failure_);
    if (q_.empty())
      return false;
    out = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }
  void finish() {
    std::lock_guard<std::mutex> lk(mu_);
    finished_ = true;
    cv_.notify_all();
  }
  void fail(std::exception_ptr ep) {
    std::lock_guard<std::mutex> lk(mu_);
    failure_ = std::move(ep);
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> q_;
  std::size_t depth_;
  bool finished_ = false;
  std::exception_ptr failure_;
};

enum class stream_cmd { data, error, end_of_stream };
struct stream_message {
  stream_cmd cmd;
  frozen_fragment fmf;
};

// What the sender puts on the wire: 120 partitions of 3 fragments, then the
// sender's read fails and it sends an error command.
class rpc_source {
public:
  stream_message operator()() {
    unsigned n = sent_++;
    if (n == 360)
      return {stream_cmd::error, {}};
    return {stream_cmd::data, {n / 3, n % 3 == 0}};
  }

private:
  unsigned sent_ = 0;
};

enum class stream_status { ok, sender_failed };

class shard_router {
public:
  explicit shard_router(unsigned shards) {
    for (unsigned s = 0; s < shards; ++s) {
      auto pipe = std::make_shared<fragment_pipe<frozen_fragment>>(4);
      pipes_.push_back(pipe);
      writers_.push_back(std::async(std::launch::async, [pipe] {
        unsigned partitions = 0;
        frozen_fragment f;
        while (pipe->pop(f))
          partitions += f.starts_partition;
        return partitions;
      }));
    }
  }

  void route(const frozen_fragment &f) {
    if (f.starts_partition)
      current_ = f.partition % pipes_.size();
    pipes_[current_]->emplace(f);
  }

  void end_of_stream() {
    for (auto &p : pipes_)
      p->finish();
  }

  void fail_all(std::exception_ptr ep) {
    for (auto &p : pipes_)
      p->fail(ep);
  }

  // Like when_all_succeed(): wait for every writer, report the first error.
  std::exception_ptr wait_for_writers() {
    std::exception_ptr first;
    for (auto &w : writers_) {
      try {
        w.get();
      } catch (...) {
        if (!first)
          first = std::current_exception();
      }
    }
    return first;
  }

private:
  std::vector<std::shared_ptr<fragment_pipe<frozen_fragment>>> pipes_;
  std::vector<std::future<unsigned>> writers_;
  std::size_t current_ = 0;
};

stream_status receive_and_distribute(rpc_source &source, shard_router &router) {
  while (true) {
    stream_message msg = source();
    switch (msg.cmd) {
    case stream_cmd::data:
      router.route(msg.fmf);
      break;
    case stream_cmd::end_of_stream:
      router.end_of_stream();
      return stream_status::ok;
    case stream_cmd::error:
      router.fail_all(std::make_exception_ptr(std::runtime_error("Sender failed")));
      return stream_status::sender_failed;
    }
  }
}

int handle_stream_mutation_fragments(rpc_source &source) {
  shard_router router(4);
  stream_status st = receive_and_distribute(source, router);
  std::exception_ptr writer_error = router.wait_for_writers();
  if (st == stream_status::sender_failed) {
    std::printf("STREAM_MUTATION_FRAGMENTS failed: Sender failed\n");
    return -1;
  }
  if (writer_error) {
    std::printf("STREAM_MUTATION_FRAGMENTS failed: a writer failed\n");
    return -1;
  }
  std::printf("STREAM_MUTATION_FRAGMENTS done\n");
  return 0;
}

int main() {
  rpc_source source;
  handle_stream_mutation_fragments(source);
  return 0;
}
