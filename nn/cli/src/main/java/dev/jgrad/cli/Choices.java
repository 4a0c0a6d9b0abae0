package dev.jgrad.cli;

import dev.jgrad.nn.analysis.ToyProblem;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Collectors;

/**
 * The closed sets of values the commands take. Each enum's {@link Object#toString()} is the name
 * on the command line ({@code lenet-bn}, not {@code LENET_BN}): the help lists those names
 * ({@code ${COMPLETION-CANDIDATES}}), {@link #register} makes them the only accepted spellings,
 * and a value that is none of them is bad usage naming them all.
 */
final class Choices {
    private Choices() {}

    /** Registers, on {@code cl} and its subcommands, the converters that accept exactly the command-line names. */
    static void register(CommandLine cl) {
        cl.registerConverter(Model.class, byCliName(Model.class));
        cl.registerConverter(Optimizer.class, byCliName(Optimizer.class));
        cl.registerConverter(Schedule.class, byCliName(Schedule.class));
    }

    /** The constant of {@code type} whose {@code toString()} is the argument. */
    static <E extends Enum<E>> ITypeConverter<E> byCliName(Class<E> type) {
        return value -> {
            for (E e : type.getEnumConstants()) if (e.toString().equals(value)) return e;
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
                    + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", ")));
        };
    }

    /** {@code train --model}: the models of {@link dev.jgrad.nn.models.Models#byName}. */
    enum Model {
        SOFTMAX("softmax"), MLP("mlp"), LENET("lenet"), LENET_BN("lenet-bn"), CNN("cnn");

        private final String cliName;

        Model(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    /** {@code train --optimizer}. */
    enum Optimizer {
        SGD("sgd"), MOMENTUM("momentum"), ADAGRAD("adagrad"), RMSPROP("rmsprop"), ADAM("adam"), ADAMW("adamw");

        private final String cliName;

        Optimizer(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    /** {@code train --schedule}: how the learning rate moves per step. */
    enum Schedule {
        NONE("none"), STEP("step"), EXP("exp"), COSINE("cosine");

        private final String cliName;

        Schedule(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    /** The toy problems' names ({@link ToyProblem#NAMES}), for the help of {@code critical} and {@code surface}. */
    static final class ToyProblems implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ToyProblem.NAMES.iterator();
        }
    }
}
