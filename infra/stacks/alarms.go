package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// alarmTopic returns a topic that e-mails email, or nil without an address.
func alarmTopic(scope constructs.Construct, email string) awssns.ITopic {
	if email == "" {
		return nil
	}
	topic := awssns.NewTopic(scope, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("elb-otel alarms"),
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	cdknag.NagSuppressions_AddResourceSuppressions(topic, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SNS2"),
		Reason: jsii.String("alarm notifications carry only alarm names and states; CloudWatch alarms cannot publish to a topic " +
			"encrypted with the AWS-managed SNS key, and a customer key for this alone costs more than it protects"),
	}}, nil)
	return topic
}
