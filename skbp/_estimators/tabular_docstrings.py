"""The parameter and attribute documentation both Tabular estimators share.

:class:`~skbp.TabularMLPClassifier`'s and :class:`~skbp.TabularMLPRegressor`'s
docstrings name the placeholders ``{tabular parameters}`` and
``{tabular attributes}``; :func:`tabular_docstring` fills them in, as
:func:`~skbp._estimators.docstrings.shared_docstring` does for the Backprop
estimators.
"""

from .docstrings import fill_placeholders

TABULAR_PARAMETERS = """\
    hidden_layer_sizes : array-like of int or int, default=(256, 256, 256)
        Units of each hidden layer.

    parametric_activation : bool, default=True
        Hidden units compute a = z + α (σ(z) − z) with one learned α per unit,
        starting at 1 (σ itself); α's learning rate is 0.1 times the base rate.

    numerical_embedding : {'pbld'} or None, default='pbld'
        Periodic embedding of every continuous column before the first dense
        layer ("PBLD": 16 random frequencies cos(2π w x + b), σ = 0.1, a learned
        per-column linear map to 3 values, the raw value kept). None: the encoded
        columns go straight to the first layer.

    feature_scaling : bool, default=True
        A learned scale per input of the first dense layer (initialized to 1,
        learning-rate factor 6).

    data_driven_init : bool, default=True
        Weights rescaled so that each pre-activation has unit standard deviation
        on training rows, biases placing each unit's hyperplane through a random
        convex combination of 5 training points (RealMLP's "he+5"). False:
        scikit-learn's initialization.

    lr_factors : bool, default=True
        RealMLP's per-group learning-rate factors: biases 0.1, feature scaling
        6, numerical embedding 0.1, activation α 0.1, categorical embedding 1
        (weight decay: the same factors, biases not decayed). False: one rate
        for all parameters.

    parametrization : {'ntk', 'standard'}, default='ntk'
        ``'ntk'`` gives each dense weight the learning-rate factor
        1/√fan_in, which makes Adam follow RealMLP's NTK parametrization (the
        base learning rate is the one tuned for it); ``'standard'`` none.

    learning_rate : {'coslog4', 'flat_cos', 'cosine', 'constant'}, default='coslog4'
        Shape of the learning-rate schedule over the ``max_iter`` epochs of
        each fit: ``'coslog4'`` is RealMLP's four cosine cycles with warm
        restarts, ½ (1 − cos(2π log₂(1 + 15 t))) at progress t; ``'flat_cos'``
        is flat for the first half, then a cosine to 0; ``'cosine'`` anneals
        from the start; ``'constant'`` keeps ``learning_rate_init``. The
        learning rate, dropout and weight decay are set before every step, at
        the share t of the budget's rows seen so far (as pytabkit);
        ``history_`` records the rate of each epoch's last step.

    batch_size : int, default=256
        Mini-batch size (clipped to the number of training rows).

    beta_1 : float, default=0.9
        Adam's first-moment decay.

    beta_2 : float, default=0.95
        Adam's second-moment decay (0.95 as RealMLP, not Adam's usual 0.999:
        the step size follows the schedule's restarts faster).

    epsilon : float, default=1e-8
        Adam's ε.

    dropout : float or array-like, default=0.15
        Probability of dropping a hidden unit (at its largest, see
        ``dropout_schedule``); a sequence gives the input of the first dense
        layer first, then each hidden layer.

    dropout_schedule : {'flat_cos', 'cosine', 'coslog4', 'constant'}, default='flat_cos'
        Shape of the dropout probability over the epochs: ``'flat_cos'`` keeps
        ``dropout`` for the first half and anneals it to 0 with a cosine.

    weight_decay : float, default=0.02
        Decoupled weight decay λ per unit of learning rate, as PyTorch's AdamW:
        every step multiplies the weights by 1 − η_t λ s(t); 0 turns it off.

    weight_decay_schedule : {'flat_cos', 'cosine', 'coslog4', 'constant'}, default='flat_cos'
        The shape s(t) of the weight decay over the epochs.

    validation_fraction : float, default=0.2
        Share of the rows held out (stratified for the classifier, exact
        duplicates kept together) to score every epoch; the best epoch's
        weights are restored at the end of the fit (``best_epoch_``), and the
        model is trained on the other rows only. 0: train on every row and
        keep the last epoch.

    early_stopping : bool or {'GL', 'PQ', 'UP'}, default=False
        Stop before the budget when the validation score has not improved by
        ``tol`` for ``n_iter_no_change`` epochs (True), or by one of Prechelt's
        criteria. False: model selection without stopping.

    n_iter_no_change : int, default=10
        Patience of ``early_stopping=True``.

    tol : float, default=1e-4
        Improvement threshold of ``early_stopping=True``.

    numeric_transform : {'quantile', 'robust'}, default='quantile'
        Encoding of the numeric columns. ``'quantile'``: each column is mapped
        to normal scores through its training quantiles, then robustly scaled
        and smoothly clipped; ``'robust'``: the values themselves are robustly
        scaled (median, inter-quartile range) and smoothly clipped, RealMLP's
        preprocessing. The default is the one measured better: a heavy-tailed
        column keeps its order instead of piling up at the clipping bound (the
        user guide's "Numeric columns"). Passed to :class:`~skbp.TabularEncoder`.

    categorical_features : 'from_dtype', array-like of str, int or bool, or None, \
default='from_dtype'
        Which columns are categorical. ``'from_dtype'``: the DataFrame columns of
        categorical, object, string or boolean dtype (none of a numeric array's);
        or a list of column names or indices, or a boolean mask; None: all
        columns are numeric. Passed to :class:`~skbp.TabularEncoder`.

    max_onehot_categories : int, default=16
        Categorical columns with at most this many levels are one-hot encoded
        (two levels: one ±1 column), the others as ``high_cardinality`` says.
        RealMLP one-hot encodes up to 8 levels and embeds the others; 16 was
        measured better with the target encoding, which keeps fewer numbers
        per column than an embedding: over six splits of
        ``bench_tabular.py``, hpc's accuracy +0.57 points (its 14-level
        column), ames' RMSE −2.8 %, attrition unchanged (the only data sets
        with columns of 9 to 16 levels).

    high_cardinality : {'embedding', 'target'}, default='target'
        Encoding of the categorical columns with more than
        ``max_onehot_categories`` levels. ``'embedding'``: a learned vector of
        8 values per level, one more for a missing or unseen value, in front of
        the first dense layer (RealMLP's; initialized N(0, 1), learning-rate and weight-decay
        factor 1). ``'target'``: scikit-learn's
        :class:`~sklearn.preprocessing.TargetEncoder` (cross-fitted on the
        training rows), robustly scaled and smoothly clipped as a numeric column.
        The default is the one measured better: on the benchmark's six data sets
        with such columns the embedding's error was 6 % higher on average (the
        user guide's "High-cardinality categories").

    dtype : {'float32', 'float64'}, default='float32'
        Precision of the encoded table, the weights and every computation.

    shuffle : bool, default=True
        Shuffle the training rows at every epoch; the last batch, when it is
        smaller than ``batch_size``, is then skipped (as RealMLP: other rows
        every epoch). Without shuffling every row is used.

    random_state : int, RandomState instance or None, default=None
        Source of every random draw: validation split, initialization, batch
        order, dropout masks, the embedding's frequencies and the categorical
        embeddings' tables.

    verbose : bool or int, default=False
        ``1``: a header and one line per epoch; ``2``: also progress inside
        long epochs (stderr).

    monitor_layers : bool, default=False
        Record per-layer statistics after every epoch in
        ``history_[i]["layers"]``, as the Backprop estimators do: one dict per
        dense layer (``delta_rms``, ``grad_rms``, ``weight_rms``,
        ``update_ratio``, ``inactive_fraction``) on a fixed probe batch of up
        to 256 training rows, the forward and backward passes running through
        the front layers and the parametric activations (an inactive unit is
        one whose σ'(z) = 1 + α (f'(z) − 1) is below 0.01). The front layers'
        own parameters are not in the statistics.

    warm_start : bool, default=False
        Continue from the fitted weights (encoder kept) instead of starting
        afresh; the schedules restart for the new ``max_iter`` epochs.

"""

TABULAR_ATTRIBUTES = """\
    encoder_ : TabularEncoder
        The fitted encoder of the raw table.

    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        Weight matrix of each dense layer.

    intercepts_ : list of ndarray of shape (n_fan_out,)
        Bias vector of each dense layer.

    layer_params_ : ndarray of shape (n_layer_params,)
        The other parameters, flat: those of the front layers (categorical
        embedding, periodic embedding, feature scaling), then the activations' α.

    best_epoch_ : int or None
        1-based epoch whose weights were restored (the best validation score,
        ties broken by the validation loss); without a validation split, the
        epoch of the lowest training loss (the last epoch's weights are kept).

    best_validation_score_ : float or None
        Validation score of ``best_epoch_`` (accuracy; R² for the regressor).

    history_ : list of dict
        One record per epoch: ``epoch``, ``train_loss``, ``val_loss``,
        ``val_score``, ``learning_rate``, ``n_samples_seen``, ``duration_s``.

    loss_ : float
        Training loss of the last epoch.

    loss_curve_ : list of float
        Training loss of every epoch.

    validation_scores_ : list of float or None
        Validation score of every epoch.

    validation_losses_ : list of float or None
        Validation loss of every epoch.

    best_loss_ : float or None
        Lowest training loss; None when a validation split is used.

    n_iter_ : int
        Epochs run by the last fit.

    t_ : int
        Training rows seen by the optimizer over all fits.

    n_features_in_ : int
        Number of columns of the raw table seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during fit (only when X has string column names).

    n_layers_ : int
        Number of dense layers plus one (input and output included).

    n_outputs_ : int
        Number of output units.

"""


def tabular_docstring(cls):
    """Class decorator: fill the placeholders of ``cls.__doc__``."""
    return fill_placeholders(cls, {
        "tabular parameters": TABULAR_PARAMETERS,
        "tabular attributes": TABULAR_ATTRIBUTES,
    })
