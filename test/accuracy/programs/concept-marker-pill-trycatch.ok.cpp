// accuracy-family: stranded-consumer
// accuracy-origin: cameron314/readerwriterqueue readerwritercircularbuffer.h (BlockingReaderWriterCircularBuffer: wait_enqueue()/wait_dequeue(), no close) with the poison-pill ending of bloomberg/bde bdlcc_boundedqueue.h's usage example (e_STOP item per consumer)
// accuracy-shape: queue=moodycamel-blocking-circular-buffer close=poison-pill marker-path=after-try-catch spawner=std::thread producer=calling-thread-helper consumer=lambda exit=throw-caught wait=join
//
// A transcoder decodes frames on the calling thread and hands them to an
// encoder thread through a single-producer/single-consumer buffer that has
// no close: the stream ends with an end-of-stream frame. Decoding throws on a
// corrupt frame; the decode loop sits in a try/catch and the end-of-stream
// frame is enqueued after it, so it is sent on the error path too. The
// encoder's exit on that frame is its normal end. Correct.
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

struct Frame {
  long pts = 0;
  bool endOfStream = false;
};

using FrameBuffer = moodycamel::BlockingReaderWriterCircularBuffer<Frame>;

class Decoder {
public:
  explicit Decoder(long corruptAt) : corruptAt_(corruptAt) {}

  Frame decodeFrame(long index) {
    if (index == corruptAt_)
      throw std::runtime_error("corrupt frame at pts " + std::to_string(index));
    return Frame{index, false};
  }

private:
  long corruptAt_;
};

// Runs on the calling thread: decodes every frame into `out`, and ends the
// stream with an end-of-stream frame whatever happened. Returns the error.
static std::string transcode(Decoder &decoder, FrameBuffer &out, long frames) {
  std::string error;
  try {
    for (long i = 0; i < frames; ++i)
      out.wait_enqueue(decoder.decodeFrame(i));
  } catch (const std::exception &e) {
    error = e.what();
  }
  out.wait_enqueue(Frame{-1, true}); // end of stream, on every path
  return error;
}

int main() {
  FrameBuffer frames(4);
  long encoded = 0;
  std::thread encoder([&] {
    for (;;) {
      Frame frame;
      frames.wait_dequeue(frame);
      if (frame.endOfStream)
        break; // the normal end of the encoder
      ++encoded;
    }
  });

  Decoder decoder(40);
  std::string error = transcode(decoder, frames, 1000);
  encoder.join();
  if (!error.empty())
    std::printf("error: %s\n", error.c_str());
  return encoded >= 0 ? 0 : 1;
}
