// accuracy-family: stranded-producer
// accuracy-origin: jbaldwin/libcoro issue #401, PR #402 (ring_buffer::shutdown_drain in include/coro/ring_buffer.hpp at ae8f34e^) as used by rapidsai/rapidsmpf PR #577 (Channel::drain, ShutdownAtExit in cpp/include/rapidsmpf/streaming/core/channel.hpp at f67d8ecc^); re-expressed with threads
// accuracy-shape: queue=cv-hand-written-ring queue-api=produce/consume_one/shutdown/shutdown_drain close=shutdown+drain spawner=std::thread-per-node producer=lambda-node consumer=lambda-node raii-shutdown=ShutdownAtExit exit=throw blocks-in=drain wait=join
//
// A streaming pipeline: nodes run on their own threads and talk through
// channels, each a one-slot ring buffer. Every node holds a ShutdownAtExit
// guard that shuts its channels down when the node ends, even by an
// exception. The producer node sends its messages, then drains its output
// channel: no more sends, wait until the buffer is empty, then shut down.
// The consumer node dies on the first message it handles, and its guard
// shuts the channel down; the message stays in the buffer. The drain waits
// for an empty buffer and never looks at the state again.
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

template <typename Element, std::size_t NumElements> class ring_buffer {
  enum class running_state { running, draining, stopped };

public:
  enum class produce_result { produced, stopped };

  produce_result produce(Element e) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return state_ != running_state::running || used_ < NumElements; });
    if (state_ != running_state::running)
      return produce_result::stopped;
    elements_[(front_++) % NumElements] = std::move(e);
    ++used_;
    cv_.notify_all();
    return produce_result::produced;
  }

  // Hands the oldest element to f and releases its slot once f returns; if
  // f throws, the element stays. False once the buffer is stopped.
  template <typename F> bool consume_one(F &&f) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return state_ == running_state::stopped || used_ > 0; });
    if (state_ == running_state::stopped)
      return false;
    f(*elements_[back_ % NumElements]);
    elements_[(back_++) % NumElements].reset();
    --used_;
    cv_.notify_all();
    return true;
  }

  void shutdown() {
    std::lock_guard<std::mutex> lk(m_);
    state_ = running_state::stopped;
    cv_.notify_all();
  }

  // No more produce; wait until every element has been consumed; stop.
  void shutdown_drain() {
    std::unique_lock<std::mutex> lk(m_);
    if (state_ == running_state::running)
      state_ = running_state::draining;
    cv_.notify_all(); // wake the producers parked on a full buffer
    cv_.wait(lk, [&] { return used_ == 0; });
    state_ = running_state::stopped;
    cv_.notify_all();
  }

  bool empty() const {
    std::lock_guard<std::mutex> lk(m_);
    return used_ == 0;
  }

private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::optional<Element> elements_[NumElements];
  std::size_t front_ = 0, back_ = 0, used_ = 0;
  running_state state_ = running_state::running;
};

struct Message {
  std::string codec;
  std::vector<int> rows;
};

class Channel {
public:
  bool send(Message msg) { return rb_.produce(std::move(msg)) == decltype(rb_)::produce_result::produced; }
  template <typename F> bool receive(F &&f) { return rb_.consume_one(std::forward<F>(f)); }
  void drain() { rb_.shutdown_drain(); }
  void shutdown() { rb_.shutdown(); }

private:
  ring_buffer<Message, 1> rb_;
};

// Shuts the channels down when the node ends, however it ends.
class ShutdownAtExit {
public:
  explicit ShutdownAtExit(std::shared_ptr<Channel> ch) : ch_(std::move(ch)) {}
  ShutdownAtExit(const ShutdownAtExit &) = delete;
  ~ShutdownAtExit() { ch_->shutdown(); }

private:
  std::shared_ptr<Channel> ch_;
};

using Node = std::function<void()>;

void run_streaming_pipeline(std::vector<Node> nodes) {
  std::vector<std::exception_ptr> errors(nodes.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        nodes[i]();
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  for (auto &t : threads)
    t.join();
  for (auto &e : errors)
    if (e)
      std::rethrow_exception(e);
}

static long decode(const Message &m) {
  if (m.codec != "lz4")
    throw std::runtime_error("unsupported compression codec '" + m.codec + "'");
  long sum = 0;
  for (int r : m.rows)
    sum += r;
  return sum;
}

int main() {
  auto ch = std::make_shared<Channel>();
  std::vector<Node> nodes;
  nodes.push_back([ch_out = ch] { // producer node
    ShutdownAtExit c{ch_out};
    for (int chunk = 0; chunk < 16; ++chunk)
      if (!ch_out->send(Message{"zstd2", {chunk, chunk + 1}}))
        break;
    ch_out->drain(); // accuracy: blocks
  });
  nodes.push_back([ch_in = ch] { // consumer node
    ShutdownAtExit c{ch_in};
    long total = 0;
    while (ch_in->receive([&](const Message &m) { total += decode(m); })) {
    }
  });
  try {
    run_streaming_pipeline(std::move(nodes));
  } catch (const std::exception &e) {
    std::printf("pipeline failed: %s\n", e.what());
    return 0;
  }
  std::printf("pipeline done\n");
  return 0;
}
