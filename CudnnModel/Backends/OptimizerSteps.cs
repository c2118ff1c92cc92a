namespace CatsDogs.Model.Backends;

/// <summary>
/// SGD with momentum as PyTorch defines it: g += decay * w; v = momentum * v + g;
/// w -= lr * (nesterov ? g + momentum * v : v).
/// </summary>
internal readonly record struct SgdStep(float LearningRate, float Momentum, bool Nesterov, float WeightDecay);

/// <summary>
/// AdamW (decoupled weight decay): w -= lr * decay * w, then the Adam step with bias correction
/// for step number <see cref="Step"/> (1-based).
/// </summary>
internal readonly record struct AdamWStep(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, long Step);
