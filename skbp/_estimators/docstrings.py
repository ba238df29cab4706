"""The parameter and attribute documentation both estimators share.

The classifier's and the regressor's docstrings name the placeholders
``{shared parameters}``, ``{shared attributes}`` and ``{partial_fit note}``;
:func:`shared_docstring`
fills them in, so that the common paragraphs are written once.
"""

SHARED_PARAMETERS = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units of the ith hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'selu', 'mish'}, default='relu'
        Activation σ of the hidden layers. ``'selu'`` is the scaled exponential
        linear unit, ``'mish'`` is z·tanh(softplus(z)).

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        Weight optimization: ``'sgd'`` mini-batch gradient descent (with momentum),
        ``'adam'`` the Adam optimizer, ``'lbfgs'`` full-batch L-BFGS-B from
        :mod:`scipy.optimize` on the backpropagated gradient.

    alpha : float, default=0.0001
        Strength of the penalty chosen by ``penalty``. As in scikit-learn, the
        penalty of a batch is divided by the batch's sample-weight sum and biases
        are not penalized.

    batch_size : int or 'auto', default='auto'
        Mini-batch size for the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by ``'lbfgs'``.

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine', 'coslog4', \
'flat_cos'}, default='constant'
        Learning-rate schedule. As in scikit-learn, for ``solver='sgd'``:
        ``'constant'``; ``'invscaling'``, decayed as
        ``learning_rate_init / (t + 1)**power_t`` with t the samples seen; or
        ``'adaptive'``, divided by 5 whenever the stopping rule fires (training
        stops when it falls below 1e-6); ``'adam'`` keeps a constant rate with
        these three. ``'cosine'`` (both stochastic solvers): cosine annealing from
        ``learning_rate_init`` towards 0 over ``max_iter`` epochs, after
        ``warmup_iter`` epochs of linear warm-up. Every ``fit``, a warm-started
        one too, anneals over its own ``max_iter`` epochs; ``partial_fit``
        calls continue the cycle and, after ``max_iter`` epochs, restart it at
        ``learning_rate_init`` (warm restarts), so a stream never trains at a
        rate of 0. ``'coslog4'`` (RealMLP's four cosine cycles with warm
        restarts) and ``'flat_cos'`` (flat, then a cosine to 0) scale
        ``learning_rate_init`` over the ``max_iter`` epochs in the same way;
        the user guide's tabular page gives their formulas.

    learning_rate_init : float, default=0.001
        Initial learning rate η of ``'sgd'`` and ``'adam'``.

    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Shuffle the samples at every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Source of every random draw: initial weights, validation split, batch order
        and dropout masks. An int gives bit-identical fits.

    tol : float, default=1e-4
        Improvement threshold of the plateau rules (and ``gtol`` of L-BFGS).

    verbose : bool or int, default=False
        ``1``/``True``: a header and one line per epoch starting with
        ``Iteration N, loss = ...`` followed by validation loss and score, learning
        rate and seconds. ``2``: also progress inside long epochs (stderr).

    warm_start : bool, default=False
        Continue from the current ``coefs_`` and ``intercepts_`` (pre-trained
        initialization / fine-tuning) instead of re-initializing. The classes
        (classifier) or the number of outputs (regressor) must be the same as in
        the previous fit.

    momentum : float, default=0.9
        Momentum μ of ``'sgd'``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (``'sgd'`` with ``momentum > 0``).

    early_stopping : {False, True, 'GL', 'PQ', 'UP'}, default=False
        Hold out ``validation_fraction`` of the training data and stop on it.
        ``True``: scikit-learn's rule (the validation score — accuracy, or R² for
        the regressor — did not improve by ``tol`` for ``n_iter_no_change``
        epochs); among epochs of equal best score the one with the lowest
        validation loss is kept (scikit-learn keeps the first). ``'GL'``, ``'PQ'``, ``'UP'``:
        Prechelt's (1998) generalization-loss, progress-quotient and
        up-in-successive-strips criteria on the validation loss, with threshold
        ``stopping_threshold``. In every case the weights of the best validation
        epoch are restored. The split is weight-aware, keeps exact duplicate rows
        on the same side and, for the classifier, is stratified. Stochastic
        solvers only; ``partial_fit`` is not offered with early stopping.

    validation_fraction : float, default=0.1
        Fraction of the training data (by sample weight) held out when
        ``early_stopping`` is on; must be in (0, 1).

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Patience of the plateau rules, in epochs.

    max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.

    initializer : str or callable, default='auto'
        Initial weights. ``'auto'``: scikit-learn's rule, weights and biases
        from U[−r, r] with r = sqrt(6/(fan_in + fan_out)), or
        sqrt(2/(fan_in + fan_out)) for logistic units, drawn in
        :class:`~sklearn.neural_network.MLPClassifier`'s order: with the same
        integer ``random_state`` both estimators start from the same network.
        ``'lecture'``: the lecture's uniform table for the hidden activation —
        logistic r = 4·sqrt(6/(fan_in + fan_out)), tanh and identity
        r = sqrt(6/(fan_in + fan_out)), relu r = sqrt(6/fan_in) (He). Or one of
        ``'glorot_uniform'``, ``'glorot_normal'`` (variance 2/(fan_in + fan_out)),
        ``'he_uniform'``, ``'he_normal'`` (2/fan_in), ``'lecun_uniform'``,
        ``'lecun_normal'`` (1/fan_in), ``'orthogonal'`` (scaled by the
        activation's gain), ``'normal'`` (N(0, init_std²)), ``'uniform'``
        (U[−√3·init_std, √3·init_std]), or a callable
        ``f(fan_in, fan_out, rng, dtype) -> ndarray of shape (fan_in, fan_out)``.

    init_std : float, default=0.01
        Standard deviation of the ``'normal'`` and ``'uniform'`` initializers.

    bias_init : float or None, default=None
        Initial biases. ``None``: the initializer's own rule, drawn by
        ``'auto'`` (as scikit-learn does), zero for every other initializer.
        A float sets the hidden-layer biases to that constant (the lecture
        suggests 0.01 for ReLU units) and the output biases to 0; it does not
        change the weights drawn.

    dropout : float or array-like, default=0.0
        Probability of *dropping* a unit during training (inverted dropout: kept
        units are scaled by 1/(1 − p); nothing changes at predict time). A float
        applies to every hidden layer; a sequence of ``len(hidden_layer_sizes) + 1``
        probabilities gives the input layer first, then each hidden layer. Not
        available with ``'lbfgs'``.

    penalty : {'l2', 'l1', 'elasticnet'}, default='l2'
        Regularization term scaled by ``alpha``: ½‖W‖², ‖W‖₁, or
        ``l1_ratio``·‖W‖₁ + ½(1 − ``l1_ratio``)‖W‖².

    l1_ratio : float, default=0.15
        Elastic-net mixing, in [0, 1]; used only with ``penalty='elasticnet'``.

    weight_decay : float, default=0.0
        Decoupled weight decay β in [0, 1): every update is
        W := (1 − β) W − step. Equals ℓ2 under plain SGD (β = η·alpha/batch_size),
        differs under Adam (AdamW). Not available with ``'lbfgs'`` (use ``alpha``).

    stopping_threshold : float or None, default=None
        α of the GL and PQ criteria, or the number of strips s of UP. ``None``
        uses GL 2.0, PQ 0.75, UP 3 — values from Prechelt's experiments.

    warmup_iter : int, default=0
        Epochs of linear warm-up before the cosine annealing; only with
        ``learning_rate='cosine'``, and smaller than ``max_iter``.

    monitor_layers : bool, default=False
        Record per-layer statistics after every epoch (L-BFGS: iteration) in
        ``history_[i]["layers"]``: one dict per weight layer with ``delta_rms``
        (RMS of δ^l), ``grad_rms`` (RMS of ∂C/∂W^l), ``weight_rms``,
        ``update_ratio`` (RMS of the epoch's change of W^l over weight_rms) and
        ``inactive_fraction`` (dead ReLU or saturated logistic/tanh units; None
        for the output layer), measured on a fixed probe batch of up to 256
        training rows. Costs one forward and backward pass of that batch per
        epoch; nothing when False.

"""

SHARED_ATTRIBUTES = """\
    loss_ : float
        Training loss (cost plus penalty) of the last epoch or L-BFGS iterate.

    best_loss_ : float or None
        Lowest training loss; None when a validation split is used.

    loss_curve_ : list of float
        Training loss of every epoch (of every L-BFGS iteration for ``'lbfgs'``).

    validation_scores_ : list of float or None
        Validation score (accuracy; R² for the regressor) of every epoch when a
        validation split is used.

    validation_losses_ : list of float or None
        Validation loss of every epoch when a validation split is used.

    best_validation_score_ : float or None
        Validation score of the epoch whose weights were restored.

    best_epoch_ : int or None
        1-based epoch of the best weights: restored ones with a validation split,
        otherwise the epoch of the lowest training loss.

    history_ : list of dict
        One record per epoch: ``epoch``, ``train_loss``, ``val_loss`` and
        ``val_score`` (None without validation), ``learning_rate``,
        ``n_samples_seen``, ``duration_s``.

    t_ : int
        Number of training samples seen by the stochastic solver.

    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        Weight matrix of each layer (``coefs_[l]`` is W^{l+1}).

    intercepts_ : list of ndarray of shape (n_fan_out,)
        Bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit (only when X has string column names).

    n_iter_ : int
        Number of epochs (iterations) run by the last call to fit or partial_fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

"""


PARTIAL_FIT_NOTE = """\
    ``partial_fit`` is not offered with ``early_stopping`` on (``hasattr`` is
    False and calling it raises :class:`AttributeError`, as for
    ``solver='lbfgs'``), where scikit-learn's MLP offers the method and raises
    ``ValueError("partial_fit does not support early_stopping=True")`` when it
    is called. Early stopping needs a fixed validation split, which a stream of
    batches does not have; not offering the method lets meta-estimators and
    ``hasattr`` see that before any data is passed.

"""


def fill_placeholders(cls, texts):
    """Replace each placeholder line ``    {name}`` of ``cls.__doc__`` by ``texts[name]``."""
    if cls.__doc__ is None:  # python -OO strips docstrings
        return cls
    for name, text in texts.items():
        cls.__doc__ = cls.__doc__.replace(f"    {{{name}}}\n\n", text)
    return cls


def shared_docstring(cls):
    """Class decorator: fill the placeholders of ``cls.__doc__``."""
    return fill_placeholders(cls, {
        "shared parameters": SHARED_PARAMETERS,
        "shared attributes": SHARED_ATTRIBUTES,
        "partial_fit note": PARTIAL_FIT_NOTE,
    })
